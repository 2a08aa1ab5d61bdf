using SingleCell.Models.Data.Hdf5;

namespace SingleCell.Models.Data;

public sealed partial class AnnData
{
    /// <summary>
    /// Reads the rows of a CSR <c>X</c> in blocks without loading the whole matrix; memory stays
    /// bounded by the block size (plus the row-pointer array and the chunks the block touches).
    /// </summary>
    /// <param name="path">Path of the <c>.h5ad</c> file.</param>
    /// <param name="rowsPerChunk">Rows per block.</param>
    /// <returns>Blocks of consecutive rows with the index of their first row, read lazily.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rowsPerChunk"/> is not positive.</exception>
    /// <exception cref="Hdf5FormatException">X is not a CSR matrix or the file is malformed.</exception>
    public static IEnumerable<(int StartRow, CellMatrix Rows)> ReadXRowChunks(string path, int rowsPerChunk = 4096)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rowsPerChunk);
        using var file = Hdf5File.Open(path);
        var x = file.Root.Group("X") ?? throw file.Error("/X", "X is not a sparse matrix group; backed row reading needs a CSR X.");
        string? enc = x.GetStringAttribute("encoding-type") ?? (x.GetStringAttribute("h5sparse_format") == "csr" ? "csr_matrix" : null);
        if (enc != "csr_matrix") throw file.Error("/X", $"X has encoding '{enc ?? "none"}'; backed row reading needs csr_matrix.");
        var shape = x.GetIntegerAttribute("shape");
        if (shape.Length != 2) shape = x.GetIntegerAttribute("h5sparse_shape");
        if (shape.Length != 2 || shape[0] < 0 || shape[1] < 0 || shape[0] > int.MaxValue || shape[1] > int.MaxValue)
            throw file.Error("/X", "X has no valid shape attribute.");
        int rows = (int)shape[0], cols = (int)shape[1];
        var data = x.Dataset("data") ?? throw file.Error("/X", "X has no data.");
        var indices = x.Dataset("indices") ?? throw file.Error("/X", "X has no indices.");
        var indptrDs = x.Dataset("indptr") ?? throw file.Error("/X", "X has no indptr.");
        var indptr = indptrDs.ReadInt64();
        if (indptr.Length != rows + 1 || indptr[0] != 0 || indptr[rows] != data.ElementCount || indices.ElementCount != data.ElementCount)
            throw file.Error("/X", "X indptr does not match its shape and data.");
        for (int start = 0; start < rows; start += rowsPerChunk)
        {
            int end = Math.Min(rows, start + rowsPerChunk);
            long from = indptr[start], to = indptr[end];
            if (to < from) throw file.Error("/X/indptr", $"indptr decreases between rows {start} and {end}.");
            var values = Hdf5Values.ToSingles(file, data.Path, data.Type, data.ReadRawRows(from, to - from), to - from);
            var cols64 = Hdf5Values.ToInt64(file, indices.Path, indices.Type, indices.ReadRawRows(from, to - from), to - from);
            var ptr = new int[end - start + 1];
            for (int r = start; r <= end; r++)
            {
                long p = indptr[r] - from;
                if (p < 0 || p > to - from) throw file.Error("/X/indptr", $"indptr is not monotone at row {r}.");
                ptr[r - start] = (int)p;
            }
            var idx = new int[cols64.Length];
            var val = values;
            for (int k = 0; k < idx.Length; k++)
            {
                if ((ulong)cols64[k] >= (ulong)cols) throw file.Error("/X/indices", $"column index {cols64[k]} is outside 0..{cols - 1}.");
                idx[k] = (int)cols64[k];
            }
            CellMatrix block;
            try
            {
                block = H5adReader.SortedCsr(end - start, cols, ptr, idx, val);
            }
            catch (ArgumentException e)
            {
                throw file.Error("/X", $"rows {start}..{end}: {e.Message}", e);
            }
            yield return (start, block);
        }
    }
}
