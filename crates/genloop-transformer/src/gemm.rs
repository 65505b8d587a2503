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

/// Gradients written by [`linear_backward`]: `dinp =` (overwritten), `dw +=`, `dbias +=`.
pub(crate) struct LinearGrads<'a> {
    pub dinp: &'a mut [f32],
    pub dw: &'a mut [f32],
    pub dbias: &'a mut [f32],
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
    let products = [
        (
            View::rows(dout, n, o),
            View::transposed(w, i, o),
            g.dinp,
            0.0,
        ),
        (
            View::transposed(inp, n, i),
            View::rows(dout, n, o),
            g.dw,
            1.0,
        ),
    ];
    for (a, b, out, beta) in products {
        gemm_rows(a, b, out, 1.0, beta);
    }
    g.dbias.par_iter_mut().enumerate().for_each(|(j, b)| {
        *b += dout.chunks(o).map(|row| row[j]).sum::<f32>();
    });
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
