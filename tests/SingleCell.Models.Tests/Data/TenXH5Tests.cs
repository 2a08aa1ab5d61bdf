using SingleCell.Models.Data;

namespace SingleCell.Models.Tests.Data;

[Category("SharedData")]
public class TenXH5Tests
{
    [Test]
    public void CellRanger3_h5_matches_readme()
    {
        var a = TenX.ReadH5(SharedData.File("tenx", "filtered_feature_bc_matrix.h5"));
        Assert.That((a.NObs, a.NVars), Is.EqualTo((1107, 507)));
        Assert.That(a.X!.NonZeroCount, Is.EqualTo(23_866));
        Assert.That(a.Var["feature_types"].GetString(0), Is.EqualTo("Gene Expression"));
        Assert.That(a.Var["gene_ids"].GetString(0), Does.StartWith("ENSG"));
        Assert.That(a.X.Values.All(v => v > 0 && v == MathF.Round(v)), Is.True);
        Assert.That(a.ObsNames[0], Does.EndWith("-1"));
    }
}
