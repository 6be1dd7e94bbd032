package recommend

import (
	"math"
	"math/rand/v2"
)

// example is one training vector with its label (+1 or -1) and its C.
type example struct {
	x Vector
	y float64
	c float64
}

// Solver bounds.
const (
	svmEpsilon = 0.01 // stop when the projected gradient spans less (LIBLINEAR's default is 0.1)
	svmMaxIter = 1000
)

// trainSVM fits an L2-regularised, squared-hinge-loss linear SVM with a bias
// (an extra feature of value 1, regularised like the others, as LIBLINEAR and
// scikit-learn's LinearSVC do) by dual coordinate descent with shrinking:
// Hsieh et al., "A Dual Coordinate Descent Method for Large-scale Linear
// SVM", ICML 2008, algorithm 1 with the L2-loss diagonal; LIBLINEAR's
// solve_l2r_l1l2_svc. It returns the weights (dense over the buckets) and the
// bias.
func trainSVM(xs []example, w []float64) (bias float64) {
	n := len(xs)
	if n == 0 {
		return 0
	}
	for i := range w {
		w[i] = 0
	}
	alpha := make([]float64, n)
	diag := make([]float64, n)
	qd := make([]float64, n)
	for i, e := range xs {
		diag[i] = 0.5 / e.c
		var sq float64
		for _, v := range e.x.Val {
			sq += float64(v) * float64(v)
		}
		qd[i] = diag[i] + sq + 1 // + the bias feature
	}
	index := make([]int, n)
	for i := range index {
		index[i] = i
	}
	rng := rand.New(rand.NewPCG(3, 4))
	active := n
	// Only the upper side shrinks: the L2 loss puts no upper bound on alpha.
	pgMaxOld := math.Inf(1)
	for iter := 0; iter < svmMaxIter; iter++ {
		pgMax, pgMin := math.Inf(-1), math.Inf(1)
		for i := 0; i < active; i++ {
			j := i + rng.IntN(active-i)
			index[i], index[j] = index[j], index[i]
		}
		for s := 0; s < active; s++ {
			i := index[s]
			e := &xs[i]
			g := bias
			for k, b := range e.x.Idx {
				g += w[b] * float64(e.x.Val[k])
			}
			g = e.y*g - 1 + diag[i]*alpha[i]
			pg := 0.0
			if alpha[i] == 0 {
				if g > pgMaxOld {
					active--
					index[s], index[active] = index[active], index[s]
					s--
					continue
				}
				if g < 0 {
					pg = g
				}
			} else {
				pg = g
			}
			pgMax, pgMin = max(pgMax, pg), min(pgMin, pg)
			if math.Abs(pg) > 1e-12 {
				old := alpha[i]
				alpha[i] = max(alpha[i]-g/qd[i], 0)
				d := (alpha[i] - old) * e.y
				for k, b := range e.x.Idx {
					w[b] += d * float64(e.x.Val[k])
				}
				bias += d
			}
		}
		if pgMax-pgMin <= svmEpsilon {
			if active == n {
				break
			}
			active = n // converged on the active set: check every example once more
			pgMaxOld = math.Inf(1)
			continue
		}
		pgMaxOld = pgMax
		if pgMaxOld <= 0 {
			pgMaxOld = math.Inf(1)
		}
	}
	return bias
}
