using Spectre.Console;

namespace SparseShiftVae;

/// <summary>Variants compared on real counts (Papalexi 2021 low-MOI): filled in once the MTX reader lands.</summary>
internal static class RealData
{
    public static int Run(Options o, IAnsiConsole console)
    {
        console.MarkupLine("[red]--real is not available yet.[/]");
        return 2;
    }
}
