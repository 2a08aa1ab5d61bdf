using Microsoft.Extensions.Logging;
using SingleCell.Models.Data;
using SingleCell.Models.Modeling;

namespace SingleCell.Models.Tests.Modeling;

public class DataSchemaTests
{
    private static AnnData Data(float[] values, string[] genes, string[] labels, int rows = 2)
    {
        var a = new AnnData(CellMatrix.FromDense(values, rows, genes.Length), Enumerable.Range(0, rows).Select(i => $"c{i}").ToArray(), genes);
        a.Obs.Add(CategoricalColumn.FromValues("pert", labels));
        a.Obs.Add(new NumericColumn("lib", Enumerable.Range(0, rows).Select(i => 10.0 * (i + 1)).ToArray()));
        return a;
    }

    [Test]
    public void Align_reorders_genes_by_name_drops_extras_and_codes_categories()
    {
        var train = Data([1, 2, 3, 4, 5, 6], ["a", "b", "c"], ["x", "ctrl"]);
        var schema = DataSchema.FromData(train, MatrixValues.Counts, categoricals: [("pert", UnknownCategoryPolicy.Error)], numerics: ["lib"]);
        Assert.That(schema.Categorical("pert").Categories, Is.EqualTo(new[] { "ctrl", "x" }), "categories in the column's order");
        // New data: genes shuffled, one extra gene, labels in another order.
        var other = Data([30, 10, 99, 20, 60, 40, 98, 50], ["c", "a", "z", "b"], ["ctrl", "x"]);
        var logged = new ListLogger();
        var aligned = schema.Align(other, logged);
        Assert.That(aligned.Matrix.ToDense(), Is.EqualTo(new float[] { 10, 20, 30, 40, 50, 60 }));
        Assert.That(aligned.DroppedGenes, Is.EqualTo(1));
        Assert.That(logged.Messages.Single(), Does.Contain("1 genes of the data are not in the model"));
        Assert.That(aligned.Codes("pert"), Is.EqualTo(new[] { 0, 1 }));
        Assert.That(aligned.Numeric("lib"), Is.EqualTo(new[] { 10.0, 20.0 }));
    }

    [Test]
    public void Missing_genes_are_listed_and_unknown_categories_follow_the_policy()
    {
        var train = Data([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14], ["g1", "g2", "g3", "g4", "g5", "g6", "g7"], ["x", "y"]);
        var schema = DataSchema.FromData(train, MatrixValues.Counts, categoricals: [("pert", UnknownCategoryPolicy.Error)]);
        var fewer = Data([1, 2], ["g7"], ["x", "y"], rows: 2);
        var ex = Assert.Throws<DataSchemaException>(() => schema.Align(fewer));
        Assert.That(ex!.Message, Does.Contain("6 of the model's 7 genes").And.Contain("'g1'").And.Contain("'g5'").And.Contain("…").And.Not.Contain("'g6'"));
        var unknown = Data([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14], ["g1", "g2", "g3", "g4", "g5", "g6", "g7"], ["x", "new"]);
        Assert.That(() => schema.Align(unknown), Throws.TypeOf<DataSchemaException>().With.Message.Contains("'c1'").And.Message.Contains("'new'"));
        var lenient = schema with { Categoricals = [schema.Categorical("pert") with { Unknown = UnknownCategoryPolicy.Missing }] };
        Assert.That(lenient.Align(unknown).Codes("pert"), Is.EqualTo(new[] { 0, -1 }));
        Assert.That(() => schema.Align(new AnnData(train.X!, train.ObsNames, train.VarNames)), Throws.TypeOf<DataSchemaException>().With.Message.Contains("no column 'pert'"));
    }

    [TestCase(float.NaN)]
    [TestCase(float.PositiveInfinity)]
    [TestCase(float.NegativeInfinity)]
    [TestCase(-1f)]
    [TestCase(1.5f)]
    public void Counts_reject_every_value_that_is_not_a_non_negative_integer(float bad)
    {
        var ok = Data([1, 2, 3, 4], ["a", "b"], ["x", "y"]);
        var schema = DataSchema.FromData(ok, MatrixValues.Counts);
        var data = Data([1, 2, 3, bad], ["a", "b"], ["x", "y"]);
        var ex = Assert.Throws<DataSchemaException>(() => schema.Align(data));
        Assert.That(ex!.Message, Does.Contain("'c1'").And.Contain("'b'"));
        Assert.That(() => DataSchema.FromData(data, MatrixValues.Counts), Throws.TypeOf<DataSchemaException>());
    }

    [Test]
    public void Value_kinds_accept_what_they_document()
    {
        var logs = Data([0.5f, 2.25f, 0, 1], ["a", "b"], ["x", "y"]);
        Assert.DoesNotThrow(() => DataSchema.FromData(logs, MatrixValues.NonNegative));
        Assert.Throws<DataSchemaException>(() => DataSchema.FromData(logs, MatrixValues.Counts));
        var scaled = Data([-0.5f, 2.25f, 0, 1], ["a", "b"], ["x", "y"]);
        Assert.DoesNotThrow(() => DataSchema.FromData(scaled, MatrixValues.Finite));
        Assert.Throws<DataSchemaException>(() => DataSchema.FromData(scaled, MatrixValues.NonNegative));
        var genotypes = Data([0, 1, 2, float.NaN], ["s1", "s2"], ["x", "y"]);
        Assert.DoesNotThrow(() => DataSchema.FromData(genotypes, MatrixValues.Genotypes));
        Assert.Throws<DataSchemaException>(() => DataSchema.FromData(Data([0, 1, 3, 2], ["s1", "s2"], ["x", "y"]), MatrixValues.Genotypes));
        Assert.Throws<DataSchemaException>(() => DataSchema.FromData(Data([0, float.NaN, 1, 2], ["a", "b"], ["x", "y"]), MatrixValues.Finite));
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Messages { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) => Messages.Add(formatter(state, exception));
    }
}
