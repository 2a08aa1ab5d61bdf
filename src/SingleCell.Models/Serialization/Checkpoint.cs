using System.Globalization;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Serialization;

/// <summary>The contents of a checkpoint: tensors, the caller's metadata and the format version.</summary>
public sealed class CheckpointData
{
    internal CheckpointData(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata, int? formatVersion)
    {
        Tensors = tensors;
        Metadata = metadata;
        FormatVersion = formatVersion;
    }

    /// <summary>The tensors by name (float32; other stored dtypes are converted).</summary>
    public IReadOnlyDictionary<string, Tensor> Tensors { get; }

    /// <summary>The caller's metadata, without the reserved <c>format</c> and <c>format_version</c> keys.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The checkpoint format version, or null for a plain safetensors file written elsewhere.</summary>
    public int? FormatVersion { get; }
}

/// <summary>
/// Model checkpoints as safetensors files with a versioned metadata block: <c>"format":
/// "singlecell-models"</c>, <c>"format_version": "1"</c>, plus the caller's string entries (typically
/// JSON documents such as model options or the data schema). Saving writes a temporary file in the
/// target directory, flushes it to disk and renames it over the target, so a crash or an exception
/// never leaves a partial or corrupted checkpoint at <c>path</c>.
/// </summary>
public static class Checkpoint
{
    /// <summary>The value of the <c>format</c> metadata key.</summary>
    public const string FormatName = "singlecell-models";

    /// <summary>The newest format version read (and the default written): 2 is the model layout of <c>Modeling.ModelCheckpoint</c>.</summary>
    public const int CurrentFormatVersion = 2;

    /// <summary>Reserved metadata key naming the format.</summary>
    public const string FormatKey = "format";

    /// <summary>Reserved metadata key holding the format version.</summary>
    public const string FormatVersionKey = "format_version";

    /// <summary>Saves tensors and metadata to <paramref name="path"/> atomically (temporary file, then rename).</summary>
    /// <param name="path">Target file; replaced if it exists.</param>
    /// <param name="tensors">Named tensors.</param>
    /// <param name="metadata">Optional string entries (for example JSON with model options); may not use the reserved keys.</param>
    /// <param name="formatVersion">The format version to record (1 … <see cref="CurrentFormatVersion"/>).</param>
    /// <exception cref="ArgumentException">A reserved metadata key, or a bad tensor name.</exception>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null, int formatVersion = CurrentFormatVersion)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(formatVersion, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(formatVersion, CurrentFormatVersion);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var meta = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [FormatKey] = FormatName,
            [FormatVersionKey] = formatVersion.ToString(CultureInfo.InvariantCulture),
        };
        if (metadata != null)
            foreach (var kv in metadata)
            {
                if (kv.Key is FormatKey or FormatVersionKey)
                    throw new ArgumentException($"Checkpoint: metadata key '{kv.Key}' is reserved.", nameof(metadata));
                meta[kv.Key] = kv.Value;
            }

        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? ".";
        RemoveStaleTemporaries(dir, Path.GetFileName(full));
        string tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                SafeTensors.Write(fs, tensors, meta);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>Deletes temporaries that killed saves of the same file left behind (saves of one path are not meant to run concurrently).</summary>
    private static void RemoveStaleTemporaries(string dir, string name)
    {
        if (!Directory.Exists(dir)) return;
        foreach (var orphan in Directory.EnumerateFiles(dir, $".{name}.*.tmp"))
        {
            // Only names of our own pattern: '.' + name + '.' + 32 hex digits + '.tmp'.
            string middle = Path.GetFileName(orphan)[(name.Length + 2)..^4];
            if (middle.Length != 32 || !middle.All(char.IsAsciiHexDigit)) continue;
            try { File.Delete(orphan); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>Loads a checkpoint (or any safetensors file) from <paramref name="path"/>.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="SafeTensorsFormatException">The file is malformed, names another format, or has a newer format version.</exception>
    public static CheckpointData Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var file = SafeTensors.Read(path);
        int? version = null;
        if (file.Metadata.TryGetValue(FormatKey, out var format))
        {
            if (format != FormatName)
                throw new SafeTensorsFormatException($"Checkpoint: '{path}' has format '{format}', not '{FormatName}'.");
            if (!file.Metadata.TryGetValue(FormatVersionKey, out var v) || !int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int parsed))
                throw new SafeTensorsFormatException($"Checkpoint: '{path}' lacks a valid '{FormatVersionKey}'.");
            if (parsed > CurrentFormatVersion || parsed < 1)
                throw new SafeTensorsFormatException($"Checkpoint: '{path}' has format version {parsed}; this library reads versions 1 to {CurrentFormatVersion}.");
            version = parsed;
        }
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var info in file.Tensors) tensors[info.Name] = file.ToTensor(info.Name);
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var kv in file.Metadata)
            if (version == null || (kv.Key != FormatKey && kv.Key != FormatVersionKey)) meta[kv.Key] = kv.Value;
        return new CheckpointData(tensors, meta, version);
    }
}
