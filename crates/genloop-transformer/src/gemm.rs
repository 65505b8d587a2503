//! A bounds-checked safe wrapper around `matrixmultiply::sgemm`, and the Conv1D-style
//! linear layer (y = x·W + b, W stored `[in, out]`) built on it.
//!
//! Transposed operands are read through strides, never copied. Row blocks run in parallel
//! with rayon where the output rows are independent.
#![allow(unsafe_code)]

use rayon::prelude::*;

/// A read-only strided matrix view: element (r, c) is `data[r * rs + c * cs]`.
#[derive(Clone, Copy)]
pub(crate) struct View<'a> {
    pub data: &'a [f32],
    pub rows: usize,
    pub cols: usize,
    pub rs: usize,
    pub cs: usize,
}

impl<'a> View<'a> {
    /// A row-major `rows × cols` matrix.
    pub fn rows(data: &'a [f32], rows: usize, cols: usize) -> Self {
        View {
            data,
            rows,
            cols,
            rs: cols,
            cs: 1,
        }
    }

    /// The transpose of a row-major `rows × cols` matrix (a `cols × rows` view).
    pub fn transposed(data: &'a [f32], rows: usize, cols: usize) -> Self {
        View {
            data,
            rows: cols,
            cols: rows,
            rs: 1,
            cs: cols,
        }
    }

    /// A strided view: element (r, c) is `data[r * rs + c * cs]`.
    pub fn strided(
        data: &'a [f32],
        (rows, cols): (usize, usize),
        (rs, cs): (usize, usize),
    ) -> Self {
        View {
            data,
            rows,
            cols,
            rs,
            cs,
        }
    }

    /// The transpose of this view.
    pub fn t(self) -> Self {
        View {
            rows: self.cols,
            cols: self.rows,
            rs: self.cs,
            cs: self.rs,
            ..self
        }
    }

    /// Columns `start..start + count` of this view.
    fn col_block(&self, start: usize, count: usize) -> View<'a> {
        View {
            data: &self.data[start * self.cs..],
            cols: count,
            ..*self
        }
    }

    /// Rows `start..start + count` of this view.
    fn row_block(&self, start: usize, count: usize) -> View<'a> {
        View {
            data: &self.data[start * self.rs..],
            rows: count,
            ..*self
        }
    }

    fn check(&self) {
        if self.rows > 0 && self.cols > 0 {
            let last = (self.rows - 1) * self.rs + (self.cols - 1) * self.cs;
            assert!(last < self.data.len(), "matrix view out of bounds");
        }
    }
}

/// A mutable strided matrix with unit column stride: element (r, c) is `data[r * rs + c]`.
pub(crate) struct MatMut<'a> {
    pub data: &'a mut [f32],
    pub rows: usize,
    pub cols: usize,
    pub rs: usize,
}

impl<'a> MatMut<'a> {
    /// A row-major `rows × cols` matrix.
    pub fn rows(data: &'a mut [f32], rows: usize, cols: usize) -> Self {
        MatMut {
            data,
            rows,
            cols,
            rs: cols,
        }
    }
}

/// `c = alpha · a · b + beta · c`, with `c` row-major `a.rows × b.cols`.
/// With `beta == 0` the old contents of `c` are not read.
pub(crate) fn gemm(a: View, b: View, c: &mut [f32], alpha: f32, beta: f32) {
    let (m, n) = (a.rows, b.cols);
    assert!(c.len() >= m * n, "output too small");
    gemm_into(a, b, MatMut::rows(c, m, n), alpha, beta);
}

/// [`gemm`] into a strided output (`c.rows × c.cols` must be `a.rows × b.cols`).
pub(crate) fn gemm_into(a: View, b: View, c: MatMut, alpha: f32, beta: f32) {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    assert_eq!(k, b.rows, "inner dimensions differ");
    assert_eq!((c.rows, c.cols), (m, n), "output shape differs");
    a.check();
    b.check();
    if m == 0 || n == 0 {
        return;
    }
    assert!(c.rs >= n, "output rows overlap");
    assert!((m - 1) * c.rs + n <= c.data.len(), "output too small");
    // SAFETY: both views were checked to lie inside their slices, and so were the m rows
    // of n elements of `c` at row stride `c.rs ≥ n` (so no two output elements alias);
    // the three slices are borrowed for the call (`c` mutably, so it aliases neither
    // input).
    unsafe {
        matrixmultiply::sgemm(
            m,
            k,
            n,
            alpha,
            a.data.as_ptr(),
            a.rs as isize,
            a.cs as isize,
            b.data.as_ptr(),
            b.rs as isize,
            b.cs as isize,
            beta,
            c.data.as_mut_ptr(),
            c.rs as isize,
            1,
        );
    }
}

/// Rows per parallel block of a matrix product with `m` rows: about a quarter of them,
/// at least 32. Fixed by the shape alone, never by the thread count.
fn row_block(m: usize) -> usize {
    m.div_ceil(4).max(32)
}

/// [`gemm`] with the rows of `a` (and of `c`) split into fixed blocks run in parallel.
/// Every element of `c` is computed by exactly one call, so the result does not depend on
/// the number of threads.
pub(crate) fn gemm_rows(a: View, b: View, c: &mut [f32], alpha: f32, beta: f32) {
    // With the `cuda` feature, large products run whole on the GPU where one is found.
    #[cfg(feature = "cuda")]
    if crate::cuda::sgemm(a, b, c, alpha, beta) {
        return;
    }
    let (n, rows) = (b.cols, row_block(a.rows));
    c[..a.rows * n]
        .par_chunks_mut(rows * n)
        .enumerate()
        .for_each(|(block, c)| {
            let start = block * rows;
            gemm(a.row_block(start, c.len() / n), b, c, alpha, beta);
        });
}

/// `out[n, o] = inp[n, i] · w[i, o] + bias[o]` (Conv1D).
pub(crate) fn linear_forward(
    out: &mut [f32],
    inp: &[f32],
    w: &[f32],
    bias: &[f32],
    i: usize,
    o: usize,
) {
    out.par_chunks_mut(o)
        .for_each(|row| row.copy_from_slice(bias));
    gemm_rows(
        View::rows(inp, inp.len() / i, i),
        View::rows(w, i, o),
        out,
        1.0,
        1.0,
    );
}

/// Inner-dimension length per block of a weight-gradient product: about a quarter of
/// `k`, at least 256. Fixed by the shape alone, never by the thread count.
fn k_block(k: usize) -> usize {
    k.div_ceil(4).max(256)
}

/// `c += a · b` for a long inner dimension `k` (the batch's rows, in weight gradients):
/// `k` is cut into fixed blocks whose products run in parallel, the first into `c`, the
/// others into `scratch`, then added to `c` in block order. Splitting the rows of `a`
/// instead would pack all of `b` (`k × n`, the largest operand) once per row block.
/// Every element is a sum in a fixed order, so the result does not depend on the number
/// of threads.
pub(crate) fn gemm_acc_split_k(a: View, b: View, c: &mut [f32], scratch: &mut Vec<f32>) {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    let kb = k_block(k);
    let blocks = k.div_ceil(kb);
    if blocks <= 1 || m == 0 || n == 0 {
        gemm_rows(a, b, c, 1.0, 1.0);
        return;
    }
    let size = m * n;
    if scratch.len() < (blocks - 1) * size {
        scratch.resize((blocks - 1) * size, 0.0);
    }
    let outputs: Vec<&mut [f32]> = std::iter::once(&mut c[..size])
        .chain(scratch.chunks_mut(size).take(blocks - 1))
        .collect();
    outputs.into_par_iter().enumerate().for_each(|(i, out)| {
        let (start, len) = (i * kb, kb.min(k - i * kb));
        let beta = if i == 0 { 1.0 } else { 0.0 };
        gemm(
            a.col_block(start, len),
            b.row_block(start, len),
            out,
            1.0,
            beta,
        );
    });
    let partials = &scratch[..(blocks - 1) * size];
    c[..size]
        .par_chunks_mut(4096)
        .enumerate()
        .for_each(|(chunk, c)| {
            let at = chunk * 4096;
            for p in partials.chunks(size) {
                c.iter_mut().zip(&p[at..]).for_each(|(c, p)| *c += p);
            }
        });
}

/// Rows per block of a column sum.
const SUM_ROWS: usize = 256;

/// `out += Σ_rows x` for a row-major `x` with rows of `out.len()`: fixed blocks of rows
/// summed in parallel, then the block sums added in order.
fn add_column_sums(out: &mut [f32], x: &[f32]) {
    let o = out.len();
    let partials: Vec<Vec<f32>> = x
        .par_chunks(SUM_ROWS * o)
        .map(|rows| {
            let mut sum = vec![0.0; o];
            for row in rows.chunks(o) {
                sum.iter_mut().zip(row).for_each(|(s, x)| *s += x);
            }
            sum
        })
        .collect();
    for p in &partials {
        out.iter_mut().zip(p).for_each(|(o, p)| *o += p);
    }
}

/// Gradients written by [`linear_backward`]: `dinp =` (overwritten), `dw +=`, `dbias +=`.
/// `scratch` holds the weight gradient's partial products.
pub(crate) struct LinearGrads<'a> {
    pub dinp: &'a mut [f32],
    pub dw: &'a mut [f32],
    pub dbias: &'a mut [f32],
    pub scratch: &'a mut Vec<f32>,
}

/// Backward of [`linear_forward`]: `dinp = dout · wᵀ`, `dw += inpᵀ · dout`,
/// `dbias += Σ_rows dout`.
pub(crate) fn linear_backward(
    g: LinearGrads,
    dout: &[f32],
    inp: &[f32],
    w: &[f32],
    i: usize,
    o: usize,
) {
    let n = inp.len() / i;
    // dinp is overwritten (β = 0); dw accumulates over the batch (β = 1).
    gemm_rows(
        View::rows(dout, n, o),
        View::transposed(w, i, o),
        g.dinp,
        1.0,
        0.0,
    );
    gemm_acc_split_k(
        View::transposed(inp, n, i),
        View::rows(dout, n, o),
        g.dw,
        g.scratch,
    );
    add_column_sums(g.dbias, dout);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strided_transpose_matches_naive_product() {
        // a: 2×3, b: 2×3 → a · bᵀ is 2×2.
        let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let b = [1.0, 0.0, -1.0, 2.0, 1.0, 0.0];
        let mut c = [0.0; 4];
        gemm(
            View::rows(&a, 2, 3),
            View::transposed(&b, 2, 3),
            &mut c,
            1.0,
            0.0,
        );
        assert_eq!(c, [-2.0, 4.0, -2.0, 13.0]);
    }
}
