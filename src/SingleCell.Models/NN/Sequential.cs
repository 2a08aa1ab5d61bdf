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
        _reusable &= IsReusableLayer(layer);
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
    /// <remarks>
    /// When every layer is one of the engine's own stateless-in-forward layers (<see cref="Linear"/>,
    /// <see cref="BatchNorm1d"/>, <see cref="Dropout"/>, the activations), the outputs between layers are
    /// never seen outside this method, so their buffers are reused: when nothing recorded reads them (under
    /// <see cref="Tensor.NoGrad"/>) they go back to the pool at the end of the call; otherwise the tape returns
    /// them once the backward pass has run every recorded operation that reads them. A buffer shared with the input, the result or another intermediate (a layer
    /// that returns its input, as dropout in evaluation mode does) is never released.
    /// </remarks>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (_layers.Count < 2 || !_reusable) { var y = input; foreach (var layer in _layers) y = layer.Forward(y); return y; }
        var outputs = new Tensor[_layers.Count];
        var x = input;
        for (int i = 0; i < _layers.Count; i++) outputs[i] = x = _layers[i].Forward(x);
        // The intermediates are outputs[0 .. n−2]; release each whose buffer is its own.
        for (int i = 0; i < outputs.Length - 1; i++)
        {
            var t = outputs[i];
            bool shared = ReferenceEquals(t._data, input._data) || ReferenceEquals(t._data, x._data);
            for (int k = 0; k < outputs.Length - 1 && !shared; k++) shared = k != i && ReferenceEquals(outputs[k]._data, t._data);
            if (shared) continue;
            t.ReleaseIntermediate();
        }
        return x;
    }

    private bool _reusable = true;

    private static bool IsReusableLayer(Module<Tensor, Tensor> layer) =>
        layer is Linear or BatchNorm1d or Dropout or ReLU or GELU or Tanh or Sigmoid or LeakyReLU or Softplus;
}
