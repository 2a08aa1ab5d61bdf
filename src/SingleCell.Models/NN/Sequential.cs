using SingleCell.Models.Tensors;

namespace SingleCell.Models.NN;

/// <summary>A chain of tensor-to-tensor modules applied in order, registered as <c>0</c>, <c>1</c>, … as <c>torch.nn.Sequential</c>.</summary>
public sealed class Sequential : Module<Tensor, Tensor>
{
    private readonly List<Module<Tensor, Tensor>> _layers = [];

    /// <summary>Creates the chain.</summary>
    /// <param name="layers">The layers, in application order.</param>
    public Sequential(params ReadOnlySpan<Module<Tensor, Tensor>> layers)
    {
        foreach (var layer in layers) Add(layer);
    }

    /// <summary>Appends a layer (registered under its index).</summary>
    /// <param name="layer">The layer.</param>
    /// <returns>This chain.</returns>
    public Sequential Add(Module<Tensor, Tensor> layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        RegisterModule(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer);
        _layers.Add(layer);
        return this;
    }

    /// <summary>Number of layers.</summary>
    public int Count => _layers.Count;

    /// <summary>The layer at <paramref name="index"/>.</summary>
    /// <param name="index">Position in the chain.</param>
    public Module<Tensor, Tensor> this[int index] => _layers[index];

    /// <inheritdoc />
    protected override string Describe() => $"Sequential({_layers.Count} layers)";

    /// <summary>Applies the layers in order.</summary>
    /// <param name="input">Input of the first layer.</param>
    public override Tensor Forward(Tensor input)
    {
        var x = input;
        foreach (var layer in _layers) x = layer.Forward(x);
        return x;
    }
}
