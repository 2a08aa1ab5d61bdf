namespace SingleCell.Models.Tests;
public class SmokeTests { [Test] public void Solution_builds() => Assert.That(typeof(SingleCell.Models.Data.CellMatrix).Assembly.GetName().Name, Is.EqualTo("SingleCell.Models")); }
