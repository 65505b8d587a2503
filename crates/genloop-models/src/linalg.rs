//! Small dense linear algebra on row-major slices, written out for the sizes genloop
//! fits thousands of times a second (d ≤ ~10), where allocation-free loops beat a
//! general matrix library. Larger or rarer work (matrix square roots) uses nalgebra.

/// Cholesky factor L (row-major, lower) of a symmetric positive-definite d×d matrix,
/// or None when it is not positive definite.
pub fn cholesky(a: &[f64], d: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..=i {
            let mut s = a[i * d + j];
            for k in 0..j {
                s -= l[i * d + k] * l[j * d + k];
            }
            if i == j {
                if s <= 0.0 || !s.is_finite() {
                    return None;
                }
                l[i * d + i] = s.sqrt();
            } else {
                l[i * d + j] = s / l[j * d + j];
            }
        }
    }
    Some(l)
}

/// ln det A from its Cholesky factor.
pub fn log_det_from_cholesky(l: &[f64], d: usize) -> f64 {
    (0..d).map(|i| l[i * d + i].ln()).sum::<f64>() * 2.0
}

/// Solve L y = b in place (forward substitution).
pub fn forward_solve(l: &[f64], d: usize, b: &mut [f64]) {
    for i in 0..d {
        let mut s = b[i];
        for k in 0..i {
            s -= l[i * d + k] * b[k];
        }
        b[i] = s / l[i * d + i];
    }
}

/// Solve A x = b in place from the Cholesky factor L of A (L y = b, then Lᵀ x = y).
pub fn cholesky_solve(l: &[f64], d: usize, b: &mut [f64]) {
    forward_solve(l, d, b);
    for i in (0..d).rev() {
        let mut s = b[i];
        for k in i + 1..d {
            s -= l[k * d + i] * b[k];
        }
        b[i] = s / l[i * d + i];
    }
}

/// A⁻¹ from the Cholesky factor of A.
pub fn inverse_from_cholesky(l: &[f64], d: usize) -> Vec<f64> {
    let mut inv = vec![0.0; d * d];
    let mut column = vec![0.0; d];
    for j in 0..d {
        column.iter_mut().for_each(|c| *c = 0.0);
        column[j] = 1.0;
        cholesky_solve(l, d, &mut column);
        for i in 0..d {
            inv[i * d + j] = column[i];
        }
    }
    inv
}

/// xᵀ A x.
pub fn quadratic_form(a: &[f64], d: usize, x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..d {
        let mut row = 0.0;
        for j in 0..d {
            row += a[i * d + j] * x[j];
        }
        s += x[i] * row;
    }
    s
}

/// tr(A B) for d×d matrices.
pub fn trace_product(a: &[f64], b: &[f64], d: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..d {
        for j in 0..d {
            s += a[i * d + j] * b[j * d + i];
        }
    }
    s
}

pub fn trace(a: &[f64], d: usize) -> f64 {
    (0..d).map(|i| a[i * d + i]).sum()
}

/// Symmetric square root of a symmetric positive semi-definite matrix.
pub fn sym_sqrt(a: &[f64], d: usize) -> Vec<f64> {
    if d == 1 {
        return vec![a[0].max(0.0).sqrt()];
    }
    let m = nalgebra::DMatrix::from_row_slice(d, d, a);
    let eig = m.symmetric_eigen();
    let vals = eig.eigenvalues.map(|v| v.max(0.0).sqrt());
    let root =
        &eig.eigenvectors * nalgebra::DMatrix::from_diagonal(&vals) * eig.eigenvectors.transpose();
    let mut out = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..d {
            out[i * d + j] = root[(i, j)];
        }
    }
    out
}

/// Row-major product A B of d×d matrices.
pub fn matmul(a: &[f64], b: &[f64], d: usize) -> Vec<f64> {
    let mut out = vec![0.0; d * d];
    for i in 0..d {
        for k in 0..d {
            let aik = a[i * d + k];
            for j in 0..d {
                out[i * d + j] += aik * b[k * d + j];
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_inverse_and_sqrt() {
        let a = [4.0, 2.0, 2.0, 3.0];
        let l = cholesky(&a, 2).unwrap();
        assert!((log_det_from_cholesky(&l, 2) - 8f64.ln()).abs() < 1e-12);
        let inv = inverse_from_cholesky(&l, 2);
        let eye = matmul(&a, &inv, 2);
        for (i, v) in eye.iter().enumerate() {
            let want = if i % 3 == 0 { 1.0 } else { 0.0 };
            assert!((v - want).abs() < 1e-12);
        }
        let root = sym_sqrt(&a, 2);
        let back = matmul(&root, &root, 2);
        for (x, y) in back.iter().zip(a) {
            assert!((x - y).abs() < 1e-10);
        }
        assert!(cholesky(&[1.0, 2.0, 2.0, 1.0], 2).is_none());
    }
}
