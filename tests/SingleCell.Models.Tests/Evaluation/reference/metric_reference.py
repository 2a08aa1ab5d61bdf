"""Reference values for MetricReferenceTests.cs, computed the way the sVAE code computes them
(svae/metrics.py and entry_points/demo.py): numpy.corrcoef, scipy.stats.spearmanr,
scipy.optimize.linear_sum_assignment, and scikit-learn's LinearRegression score written out with
numpy.linalg.lstsq on centred data (what LinearRegression does). Run with numpy and scipy:
    python3 metric_reference.py
The inputs are closed-form so that the C# test rebuilds them without a data file."""
import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.stats import spearmanr

n, d, dh, K = 60, 4, 5, 6
i = np.arange(n)[:, None]
z = np.sin(0.37 * (i + 1) * (np.arange(d)[None, :] + 1)) + 0.1 * np.cos(1.3 * i + np.arange(d)[None, :])
A = np.array([[1, 0, 0, 2], [0, -2, 0, 0], [0, 0, 0, 1], [3, 0, 1, 0], [0, 1, -1, 0]], dtype=float)  # dh × d
zh = np.floor(4 * (z @ A.T + 0.3 * np.sin(2.1 * i + 3 * np.arange(dh)[None, :])))  # integers: many ties

def mcc(x, y, method):
    if method == "pearson":
        cc = np.corrcoef(x, y, rowvar=False)[:d, d:]
    else:
        cc = spearmanr(x, y)[0][:d, d:]
    cc = np.abs(cc)
    return cc[linear_sum_assignment(-1 * cc)].mean()

def r2(x, y):
    xc, yc = x - x.mean(0), y - y.mean(0)
    coef = np.linalg.lstsq(xc, yc, rcond=None)[0]
    res = ((yc - xc @ coef) ** 2).sum(0)
    tot = (yc ** 2).sum(0)
    return np.mean(1 - res / tot)

print("mcc_pearson", repr(mcc(z, zh, "pearson")))
print("mcc_spearman", repr(mcc(z, zh, "spearman")))
print("r2", repr(r2(zh, z)))

cost = np.cos(np.arange(5)[:, None] * 1.7 + np.arange(7)[None, :] * 0.9) * 10
r, c = linear_sum_assignment(cost)
print("lsa_5x7", list(c), repr(cost[r, c].sum()))
r, c = linear_sum_assignment(cost.T)
print("lsa_7x5 rows", list(r), "cols", list(c), repr(cost.T[r, c].sum()))

# Graph: p = d = 4 estimated latents (first 4 columns of zh), K = 6 interventions.
zg = zh[:, :d]
prior = np.where((np.arange(K)[:, None] + 2 * np.arange(d)[None, :]) % 3 == 0, 5.0, 0.0)  # K × p
mat_A = ((np.arange(d)[:, None] * 5 + np.arange(K)[None, :] * 3) % 4 == 0).astype(float)  # p × K
w = -np.corrcoef(zg, z, rowvar=False)[:d, d:]
perm = linear_sum_assignment(w.T)[1]
y_true = (np.abs(prior.T) > 0).astype(float).flatten()
y_pred = mat_A[perm].flatten()
tp = (y_true * y_pred).sum(); fp = ((1 - y_true) * y_pred).sum(); fn = (y_true * (1 - y_pred)).sum()
print("graph perm", list(perm), "tp fp fn", tp, fp, fn,
      "precision", repr(tp / (tp + fp)), "recall", repr(tp / (tp + fn)), "f1", repr(2 * tp / (2 * tp + fp + fn)))
