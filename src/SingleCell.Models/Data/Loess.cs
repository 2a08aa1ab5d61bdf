namespace SingleCell.Models.Data;

/// <summary>Local polynomial regression (loess) in one dimension, evaluated directly at every data point.</summary>
/// <remarks>
/// For each x<sub>i</sub> the q = ⌊span·n⌋ nearest points are weighted with the tricube kernel
/// w = (1 − (d/d<sub>max</sub>)³)³, where d<sub>max</sub> is the distance to the q-th nearest point, and a weighted
/// least-squares polynomial of the given degree is fitted and evaluated at x<sub>i</sub>. This is the
/// <c>surface="direct"</c> form of Cleveland's loess (R <c>loess</c>, <c>skmisc.loess</c>); the default
/// <c>"interpolate"</c> surface of those packages approximates it by kd-tree vertices, so fitted values can differ slightly.
/// </remarks>
public static class Loess
{
    /// <summary>Fits y on x and returns the fitted value at each x.</summary>
    /// <param name="x">Predictor values.</param>
    /// <param name="y">Responses.</param>
    /// <param name="span">Fraction of points in each local fit (0, 1].</param>
    /// <param name="degree">Local polynomial degree, 1 or 2.</param>
    /// <exception cref="ArgumentException">Lengths differ, too few points, or bad span/degree.</exception>
    public static double[] Fit(ReadOnlySpan<double> x, ReadOnlySpan<double> y, double span = 0.3, int degree = 2)
    {
        if (x.Length != y.Length) throw new ArgumentException("x and y differ in length.", nameof(y));
        if (degree is < 1 or > 2) throw new ArgumentException("degree must be 1 or 2.", nameof(degree));
        if (span <= 0 || span > 1) throw new ArgumentException("span must be in (0, 1].", nameof(span));
        int n = x.Length;
        int q = Math.Max(degree + 1, (int)Math.Floor(span * n));
        if (n < degree + 1) throw new ArgumentException($"At least {degree + 1} points are needed.", nameof(x));
        q = Math.Min(q, n);
        var order = Enumerable.Range(0, n).ToArray();
        var xs = x.ToArray();
        Array.Sort(xs, order);
        var ys = new double[n];
        for (int i = 0; i < n; i++) ys[i] = y[order[i]];
        var fitted = new double[n];
        int lo = 0;
        for (int i = 0; i < n; i++)
        {
            double xi = xs[i];
            // Slide a window of q consecutive sorted points to be the q nearest to xi.
            while (lo + q < n && xi - xs[lo] > xs[lo + q] - xi) lo++;
            while (lo > 0 && xs[lo - 1 + q] - xi > xi - xs[lo - 1]) lo--;
            int hi = lo + q - 1;
            double dmax = Math.Max(xi - xs[lo], xs[hi] - xi);
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, t0 = 0, t1 = 0, t2 = 0;
            for (int k = lo; k <= hi; k++)
            {
                double d = xs[k] - xi;
                double u = dmax > 0 ? Math.Abs(d) / dmax : 0;
                double w = u >= 1 ? 0 : Math.Pow(1 - u * u * u, 3);
                double d2 = d * d;
                s0 += w; s1 += w * d; s2 += w * d2; t0 += w * ys[k]; t1 += w * d * ys[k];
                if (degree == 2) { s3 += w * d2 * d; s4 += w * d2 * d2; t2 += w * d2 * ys[k]; }
            }
            fitted[order[i]] = degree == 1 ? SolveLinear(s0, s1, s2, t0, t1) : SolveQuadratic(s0, s1, s2, s3, s4, t0, t1, t2);
        }
        return fitted;
    }

    // Intercept of the local fit centred at xi (the fitted value at xi).
    private static double SolveLinear(double s0, double s1, double s2, double t0, double t1)
    {
        double det = s0 * s2 - s1 * s1;
        return Math.Abs(det) < 1e-300 * Math.Max(1, s0 * s2) ? t0 / s0 : (t0 * s2 - s1 * t1) / det;
    }

    private static double SolveQuadratic(double s0, double s1, double s2, double s3, double s4, double t0, double t1, double t2)
    {
        // [s0 s1 s2; s1 s2 s3; s2 s3 s4] b = [t0 t1 t2]; return b0 by Cramer's rule.
        double det = s0 * (s2 * s4 - s3 * s3) - s1 * (s1 * s4 - s3 * s2) + s2 * (s1 * s3 - s2 * s2);
        if (Math.Abs(det) <= 1e-12 * Math.Abs(s0 * s2 * s4) || det == 0) return SolveLinear(s0, s1, s2, t0, t1);
        double num = t0 * (s2 * s4 - s3 * s3) - s1 * (t1 * s4 - s3 * t2) + s2 * (t1 * s3 - s2 * t2);
        return num / det;
    }
}
