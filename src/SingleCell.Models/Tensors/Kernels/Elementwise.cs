using System.Numerics.Tensors;

namespace SingleCell.Models.Tensors.Kernels;

/// <summary>In-place helpers shared by ops and optimisers.</summary>
internal static class Elementwise
{
    /// <summary>dst += src.</summary>
    internal static void AddInPlace(Span<float> dst, ReadOnlySpan<float> src) => TensorPrimitives.Add(dst, src, dst);

    /// <summary>dst += alpha · src.</summary>
    internal static void AxpyInPlace(Span<float> dst, float alpha, ReadOnlySpan<float> src) => TensorPrimitives.MultiplyAdd(src, alpha, dst, dst);
}
