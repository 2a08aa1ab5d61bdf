import struct,sys
d=open('/work/shared/data/perturbation/norman2019_mcfaline2023_devel.h5ad','rb').read()
pos=0; cols=[]
while True:
    i=d.find(b'GCOL',pos)
    if i<0: break
    size=struct.unpack_from('<Q',d,i+8)[0]
    objs=[]; p=i+16
    while p+16<=i+size:
        idx,ref,_,osz=struct.unpack_from('<HHIQ',d,p)
        if idx==0: break
        objs.append(d[p+16:p+16+osz].decode('utf-8','replace'))
        p+=16+((osz+7)//8)*8
    cols.append((i,objs)); pos=i+4
for i,o in cols: print(i,len(o),o[:3],o[-3:])
allo=[x for _,o in cols for x in o]
print(len(allo))
c6=cols[5][1]; print(c6[:40]); c7=cols[6][1]; print(c7[-40:])
s=c6.index('gene_symbol')+1
genes=c6[s:]+c7[:c7.index('string-array')]
print(len(genes), len(set(genes)))
open('/tmp/sel/genes500.txt','w').write('\n'.join(genes)+'\n')
