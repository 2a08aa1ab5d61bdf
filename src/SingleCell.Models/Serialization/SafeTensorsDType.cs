namespace SingleCell.Models.Serialization;

/// <summary>Element types of the safetensors format (the spellings of its <c>dtype</c> field).</summary>
public enum SafeTensorsDType
{
    /// <summary>"BOOL", one byte.</summary>
    Bool,

    /// <summary>"U8".</summary>
    U8,

    /// <summary>"I8".</summary>
    I8,

    /// <summary>"I16".</summary>
    I16,

    /// <summary>"F16" (IEEE half).</summary>
    F16,

    /// <summary>"BF16" (bfloat16).</summary>
    BF16,

    /// <summary>"I32".</summary>
    I32,

    /// <summary>"F32".</summary>
    F32,

    /// <summary>"I64".</summary>
    I64,

    /// <summary>"F64".</summary>
    F64,
}

/// <summary>Names and sizes of <see cref="SafeTensorsDType"/> values.</summary>
public static class SafeTensorsDTypeInfo
{
    /// <summary>Bytes per element.</summary>
    /// <param name="dtype">The element type.</param>
    public static int SizeOf(SafeTensorsDType dtype) => dtype switch
    {
        SafeTensorsDType.Bool or SafeTensorsDType.U8 or SafeTensorsDType.I8 => 1,
        SafeTensorsDType.I16 or SafeTensorsDType.F16 or SafeTensorsDType.BF16 => 2,
        SafeTensorsDType.I32 or SafeTensorsDType.F32 => 4,
        _ => 8,
    };

    /// <summary>The name used in the header ("F32", "I64", …).</summary>
    /// <param name="dtype">The element type.</param>
    public static string Name(SafeTensorsDType dtype) => dtype switch
    {
        SafeTensorsDType.Bool => "BOOL",
        SafeTensorsDType.U8 => "U8",
        SafeTensorsDType.I8 => "I8",
        SafeTensorsDType.I16 => "I16",
        SafeTensorsDType.F16 => "F16",
        SafeTensorsDType.BF16 => "BF16",
        SafeTensorsDType.I32 => "I32",
        SafeTensorsDType.F32 => "F32",
        SafeTensorsDType.I64 => "I64",
        _ => "F64",
    };

    /// <summary>Parses a header dtype name; false for names this library does not read.</summary>
    /// <param name="name">The header's spelling.</param>
    /// <param name="dtype">The element type when recognised.</param>
    public static bool TryParse(string name, out SafeTensorsDType dtype)
    {
        switch (name)
        {
            case "BOOL": dtype = SafeTensorsDType.Bool; return true;
            case "U8": dtype = SafeTensorsDType.U8; return true;
            case "I8": dtype = SafeTensorsDType.I8; return true;
            case "I16": dtype = SafeTensorsDType.I16; return true;
            case "F16": dtype = SafeTensorsDType.F16; return true;
            case "BF16": dtype = SafeTensorsDType.BF16; return true;
            case "I32": dtype = SafeTensorsDType.I32; return true;
            case "F32": dtype = SafeTensorsDType.F32; return true;
            case "I64": dtype = SafeTensorsDType.I64; return true;
            case "F64": dtype = SafeTensorsDType.F64; return true;
            default: dtype = default; return false;
        }
    }
}
