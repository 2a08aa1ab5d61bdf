"""Summary statistics of svae/simulation.py::sparse_shift (the code's simulation, rewritten with numpy
as in shared/bench/svae_torch_reference.py) for the bounds of
SparseShiftSimulationTests.Count_distribution_matches_the_reference_code. Run: python3 sparse_shift_summary.py
Output seen (numpy 1.24.2), seeds 1024, 1, 2, 3, 4:
1024 zeros 0.0008 libmean 4000.1 libmed 3804.0 lib q05 3262.0 q95 5383.0 maxcount 3909 ntargets 1.880 logx sd 0.770
1 zeros 0.0009 libmean 3999.6 libmed 3847.0 lib q05 3272.9 q95 5249.0 maxcount 2862 ntargets 1.870 logx sd 0.780
2 zeros 0.0009 libmean 4000.5 libmed 3807.0 lib q05 3122.0 q95 5449.0 maxcount 5807 ntargets 1.910 logx sd 0.794
3 zeros 0.0009 libmean 3999.9 libmed 3791.0 lib q05 3247.0 q95 5528.1 maxcount 5724 ntargets 1.760 logx sd 0.783
4 zeros 0.0012 libmean 3999.4 libmed 3888.0 lib q05 3329.0 q95 5062.0 maxcount 6702 ntargets 1.950 logx sd 0.772
"""
import numpy as np, sys
def prep(x_dim, z_dim, h_dim=40, s=0.2):
    g=np.sqrt(2/(1+s**2))
    W1=np.random.normal(size=(z_dim,h_dim)); W1=np.linalg.qr(W1.T)[0].T*g*np.sqrt(2/(z_dim+h_dim))
    W2=np.random.normal(size=(h_dim,h_dim)); W2=np.linalg.qr(W2.T)[0].T*g*np.sqrt(2/(2*h_dim))
    W3=np.random.normal(size=(h_dim,h_dim)); W3=np.linalg.qr(W3.T)[0].T*g*np.sqrt(2/(2*h_dim))
    W4=np.random.normal(size=(h_dim,x_dim)); W4=np.linalg.qr(W4.T)[0].T*g*np.sqrt(2/(x_dim+h_dim))
    return W1,W2,W3,W4
def sim(ncpc=250,nchem=100,p=15,G=100):
    targets=np.zeros((nchem,p))
    for c in range(nchem):
        t=np.random.choice([1,2,3]); idx=np.random.choice(np.arange(p),t); targets[c,idx]+=1
    sign=2*(np.random.uniform(0,1,size=targets.shape)>0.5).astype(float)-1
    pm=targets*np.random.normal(5,0.5,size=targets.shape)*sign
    z=np.zeros((nchem*ncpc,p))
    for c in range(nchem): z[c*ncpc:(c+1)*ncpc]=np.random.multivariate_normal(pm[c],np.eye(p),size=ncpc)
    W1,W2,W3,W4=prep(G,p)
    lr=lambda x: np.maximum(0.2*x,x)
    l=lr(lr(lr(z@W1)@W2)@W3)@W4; l/=np.std(l); e=np.exp(l-l.max()); f=e/e.sum(axis=0)
    x=np.random.poisson(1e6*f)
    return x,f,targets
for seed in [1024,1,2,3,4]:
    np.random.seed(seed); x,f,t=sim()
    lib=x.sum(1)
    print(seed, "zeros %.4f"%(x==0).mean(), "libmean %.1f"%lib.mean(), "libmed %.1f"%np.median(lib), "lib q05 %.1f q95 %.1f"%tuple(np.quantile(lib,[.05,.95])), "maxcount %d"%x.max(), "ntargets %.3f"%t.sum(1).mean(), "logx sd %.3f"%np.log1p(x).std())
