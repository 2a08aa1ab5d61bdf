using SingleCell.Models.Data;
using SingleCell.Models.Samples;

namespace SingleCell.Models.Tests.Samples;

/// <summary>The observed change that PerturbationPrediction and Quickstart plot against GEARS' predicted change.</summary>
public class ObservedChangeTests
{
    private static AnnData Screen()
    {
        // Genes g0, g1; two controls (means 1, 2), A written two ways (means 4, 2), B (means 0, 7).
        float[] x = [1, 1, 1, 3, 3, 2, 5, 2, 0, 7];
        string[] conditions = ["ctrl", "ctrl+ctrl", "A", "ctrl+A", "B"];
        var a = new AnnData(CellMatrix.FromDense(x, 5, 2), ["c0", "c1", "c2", "c3", "c4"], ["g0", "g1"]);
        a.Obs.Add(CategoricalColumn.FromValues("condition", conditions));
        return a;
    }

    [Test]
    public void Change_is_the_perturbation_mean_minus_the_control_mean_whatever_the_label_order()
    {
        var change = ObservedChange.Of(Screen(), "condition", ["A+ctrl", "B"], ["g1", "g0"]);
        Assert.That(change.Rows, Is.EqualTo(2));
        Assert.That(change.Columns, Is.EqualTo(2));
        Assert.That(change.Values.ToArray(), Is.EqualTo(new float[] { 0, 3, 5, -1 }), "rows A, B; columns g1, g0");
    }

    [Test]
    public void A_perturbation_without_cells_is_an_error_not_a_change_of_minus_the_control()
    {
        var e = Assert.Throws<ArgumentException>(() => ObservedChange.Of(Screen(), "condition", ["C+ctrl"], ["g0"]));
        Assert.That(e!.Message, Does.StartWith("no cells of 'C+ctrl' in obs 'condition'"));
        Assert.Throws<ArgumentException>(() => ObservedChange.Of(Screen(), "condition", ["A"], ["g9"]));
    }
}
