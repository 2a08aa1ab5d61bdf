namespace SingleCell.Models.Training;

/// <summary>A history series that early stopping, best-weight restoration and the plateau schedule watch.</summary>
/// <param name="Name">The series name, e.g. <c>loss_validation</c> or <c>mse_de_validation</c>.</param>
/// <param name="Minimize">True when smaller values are better.</param>
public sealed record MonitoredMetric(string Name, bool Minimize = true);
