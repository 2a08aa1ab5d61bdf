using ScottPlot;
using SkiaSharp;

namespace SingleCell.Models.Plotting;

/// <summary>Saves plots as PNG or SVG (chosen by the file extension) with a sans-serif font set explicitly.</summary>
public static class PlotFiles
{
    private static readonly string[] s_preferredSans = ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica", "Noto Sans", "Open Sans"];
    private static readonly Lazy<string> s_sans = new(FindSans);

    /// <summary>
    /// The sans-serif font the plots use: the first of DejaVu Sans, Liberation Sans, Arial, Helvetica,
    /// Noto Sans, Open Sans installed here, else ScottPlot's own sans choice. (ScottPlot's default
    /// falls back to a serif face on a bare Debian machine.)
    /// </summary>
    public static string SansFont => s_sans.Value;

    /// <summary>Applies <see cref="SansFont"/> to every text of <paramref name="plot"/>.</summary>
    /// <param name="plot">The plot to style.</param>
    /// <exception cref="ArgumentNullException"><paramref name="plot"/> is null.</exception>
    public static void ApplyFont(Plot plot)
    {
        ArgumentNullException.ThrowIfNull(plot);
        plot.Font.Set(SansFont);
    }

    /// <summary>Saves <paramref name="plot"/> as PNG (<c>.png</c>) or SVG (<c>.svg</c>), creating the folder if needed.</summary>
    /// <param name="plot">The plot.</param>
    /// <param name="path">The file to write; its extension picks the format.</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    /// <returns>The full path written.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The extension is neither <c>.png</c> nor <c>.svg</c>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 50 pixels.</exception>
    public static string Save(Plot plot, string path, int width = 800, int height = 500)
    {
        ArgumentNullException.ThrowIfNull(plot);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 50);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 50);
        string ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext is not (".png" or ".svg"))
            throw new ArgumentException($"Cannot tell the image format of '{path}': use a .png or .svg file name.", nameof(path));
        string full = Path.GetFullPath(path);
        if (Path.GetDirectoryName(full) is { Length: > 0 } dir) Directory.CreateDirectory(dir);
        ApplyFont(plot);
        if (ext == ".png") plot.SavePng(full, width, height);
        else plot.SaveSvg(full, width, height);
        return full;
    }

    /// <summary>Saves <paramref name="plot"/> twice, as <c>{pathWithoutExtension}.png</c> and <c>.svg</c>.</summary>
    /// <param name="plot">The plot.</param>
    /// <param name="pathWithoutExtension">The file path without extension.</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    /// <returns>The two paths written, PNG first.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static string[] SavePngAndSvg(Plot plot, string pathWithoutExtension, int width = 800, int height = 500)
    {
        ArgumentNullException.ThrowIfNull(pathWithoutExtension);
        return [Save(plot, pathWithoutExtension + ".png", width, height), Save(plot, pathWithoutExtension + ".svg", width, height)];
    }

    private static string FindSans()
    {
        try
        {
            var installed = new HashSet<string>(SKFontManager.Default.FontFamilies, StringComparer.OrdinalIgnoreCase);
            foreach (var name in s_preferredSans)
                if (installed.Contains(name)) return name;
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException)
        {
            // No native Skia font manager: fall through to ScottPlot's own choice.
        }
        return Fonts.Sans;
    }
}
