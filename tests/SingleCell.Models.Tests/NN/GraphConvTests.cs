using SingleCell.Models.NN;
using SingleCell.Models.Tensors;
using SingleCell.Models.Tests.Tensors;

namespace SingleCell.Models.Tests.NN;

public class GraphConvTests
{
    /// <summary>
    /// Nodes 0, 1, 2; edges 0→1 (w 2), 2→1 (w 1), 1→1 (w 0.5, an existing self-loop kept as is),
    /// 1→2 (w 4). Self-loops of weight 1 are added to 0 and 2 only. Weighted in-degrees:
    /// d(0) = 1, d(1) = 2 + 1 + 0.5 = 3.5, d(2) = 4 + 1 = 5. Entry (t, s) = w / √(d(s) d(t)).
    /// </summary>
    [Test]
    public void Propagation_matches_the_hand_computed_normalisation()
    {
        var p = GraphConv.Propagation(3, [0, 2, 1, 1], [1, 1, 1, 2], [2f, 1f, 0.5f, 4f]);
        var dense = p.ToDense().ToArray();
        double d0 = 1, d1 = 3.5, d2 = 5;
        double[] expected =
        [
            1 / d0, 0, 0,
            2 / Math.Sqrt(d0 * d1), 0.5 / d1, 1 / Math.Sqrt(d2 * d1),
            0, 4 / Math.Sqrt(d1 * d2), 1 / d2,
        ];
        for (int i = 0; i < 9; i++) Assert.That(dense[i], Is.EqualTo(expected[i]).Within(1e-6), $"entry {i / 3},{i % 3}");
    }

    [Test]
    public void Repeated_edges_add_and_an_isolated_node_keeps_its_features()
    {
        var p = GraphConv.Propagation(3, [0, 0], [1, 1], [1f, 1f]);
        var twice = GraphConv.Propagation(3, [0], [1], [2f]);
        Assert.That(p.ToDense().ToArray(), Is.EqualTo(twice.ToDense().ToArray()));
        Assert.That(p.ToDense().ToArray()[8], Is.EqualTo(1f), "node 2: only its own added self-loop");
    }

    [Test]
    public void K_steps_apply_the_propagation_K_times_then_the_linear_map()
    {
        var g = new Generator(3);
        var conv = new GraphConv(4, 2, steps: 2, g);
        var p = GraphConv.Propagation(3, [0, 1, 2], [1, 2, 0], [1f, 2f, 3f]);
        var x = Tensor.RandomNormal(g, [3, 4]);
        var dense = p.ToDense();
        var expected = conv.Lin.Forward(dense.MatMul(dense.MatMul(x)));
        Assert.That(conv.Forward(x, p).ToArray(), Is.EqualTo(expected.ToArray()).Within(1e-5));
        Assert.That(conv.NamedParameters().Select(kv => kv.Key), Is.EqualTo(new[] { "lin.weight", "lin.bias" }));
    }

    [Test]
    public void Gradients_match_finite_differences_and_the_dense_composition()
    {
        var p = GraphConv.Propagation(4, [0, 1, 2, 3, 0], [1, 2, 3, 0, 2], [0.5f, 1f, 2f, 1.5f, 0.7f]);
        var conv = new GraphConv(3, 2, steps: 2, new Generator(8));
        GradCheck.Check("graph_conv", t => conv.Forward(t[0], p), [GradCheck.Rand(1, -1, 1, 4, 3)]);

        // Parameter gradients against the same computation through dense (already checked) operations.
        var x = GradCheck.Rand(2, -1, 1, 4, 3);
        conv.ZeroGrad();
        conv.Forward(x, p).Square().Sum().Backward();
        var sparseGrad = conv.Lin.Weight.Grad!.ToArray();
        var dense = p.ToDense();
        var w = conv.Lin.Weight.Value.Detach().Clone();
        w.RequiresGrad = true;
        Tensor.Linear(dense.MatMul(dense.MatMul(x)), w, conv.Lin.Bias!.Value.Detach()).Square().Sum().Backward();
        Assert.That(sparseGrad, Is.EqualTo(w.Grad!.ToArray()).Within(1e-4));
    }

    [Test]
    public void Module_list_and_dict_register_children_under_their_names()
    {
        var g = new Generator(1);
        var list = new ModuleList<Linear>(new Linear(2, 2, g), new Linear(2, 1, g));
        var dict = new ModuleDict<Linear>().Add("gene", new Linear(1, 1, g)).Add("pert", new Linear(1, 1, g, bias: false));
        Assert.That(list.NamedParameters().Select(kv => kv.Key), Is.EqualTo(new[] { "0.weight", "0.bias", "1.weight", "1.bias" }));
        Assert.That(dict.NamedParameters().Select(kv => kv.Key), Is.EqualTo(new[] { "gene.weight", "gene.bias", "pert.weight" }));
        Assert.That(list.Count, Is.EqualTo(2));
        Assert.That(dict["pert"].Bias, Is.Null);
        Assert.That(() => dict["nope"], Throws.TypeOf<KeyNotFoundException>().With.Message.Contains("gene, pert"));
    }
}
