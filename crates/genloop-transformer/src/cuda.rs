//! The `cuda` feature: matrix products on an NVIDIA GPU through cuBLAS, loaded at run
//! time (`libcudart`, `libcublas`), so the feature builds on machines without the CUDA
//! toolkit and a binary built with it falls back to the CPU where no GPU or library is
//! found.
//!
//! Scope: each large product ([`MIN_FLOPS`] and up) is copied to the device, multiplied
//! by `cublasSgemm_v2` and copied back; the element-wise kernels, attention's small
//! products and the optimiser stay on the CPU. That keeps one code path for the model and
//! its tests, at the price of two transfers per product, so it pays off for wide models
//! (GPT-2 small and up), not for the loop's small ones. Results differ from the CPU path
//! in the last bits (cuBLAS sums in another order); runs with the feature are
//! deterministic on one GPU model, not bit-identical to CPU runs.
//!
//! cuBLAS is column-major: the row-major product C = A·B is computed as the column-major
//! Cᵀ = Bᵀ·Aᵀ, where a row-major operand is its column-major transpose with the same
//! leading dimension. Views with other strides stay on the CPU.
#![allow(unsafe_code)]

use std::ffi::{c_int, c_void};
use std::sync::{Mutex, OnceLock};

use libloading::Library;

use crate::gemm::View;

/// Products below this many multiply-adds stay on the CPU (transfers dominate).
pub const MIN_FLOPS: usize = 1 << 24;

const CUDA_SUCCESS: c_int = 0;
const MEMCPY_HOST_TO_DEVICE: c_int = 1;
const MEMCPY_DEVICE_TO_HOST: c_int = 2;
const OP_N: c_int = 0;
const OP_T: c_int = 1;

type Malloc = unsafe extern "C" fn(*mut *mut c_void, usize) -> c_int;
type Free = unsafe extern "C" fn(*mut c_void) -> c_int;
type Memcpy = unsafe extern "C" fn(*mut c_void, *const c_void, usize, c_int) -> c_int;
type DeviceCount = unsafe extern "C" fn(*mut c_int) -> c_int;
type Create = unsafe extern "C" fn(*mut *mut c_void) -> c_int;
#[allow(clippy::type_complexity)]
type Sgemm = unsafe extern "C" fn(
    *mut c_void,
    c_int,
    c_int,
    c_int,
    c_int,
    c_int,
    *const f32,
    *const f32,
    c_int,
    *const f32,
    c_int,
    *const f32,
    *mut f32,
    c_int,
) -> c_int;

/// The loaded libraries, a cuBLAS handle and device buffers grown as products need.
struct Gpu {
    malloc: Malloc,
    free: Free,
    memcpy: Memcpy,
    sgemm: Sgemm,
    handle: *mut c_void,
    /// Device buffers for A, B and C, with their capacities in floats.
    buffers: [(*mut f32, usize); 3],
    _runtime: Library,
    _blas: Library,
}

// The raw handle and buffers are only used under the mutex that owns the `Gpu`.
unsafe impl Send for Gpu {}

fn open(names: &[&str]) -> Option<Library> {
    names
        .iter()
        .find_map(|name| unsafe { Library::new(name) }.ok())
}

impl Gpu {
    fn load() -> Option<Gpu> {
        let runtime = open(&[
            "libcudart.so",
            "libcudart.so.13",
            "libcudart.so.12",
            "libcudart.so.11.0",
        ])?;
        let blas = open(&[
            "libcublas.so",
            "libcublas.so.13",
            "libcublas.so.12",
            "libcublas.so.11",
        ])?;
        unsafe {
            let count: DeviceCount = *runtime.get(b"cudaGetDeviceCount\0").ok()?;
            let mut devices = 0;
            if count(&mut devices) != CUDA_SUCCESS || devices == 0 {
                return None;
            }
            let create: Create = *blas.get(b"cublasCreate_v2\0").ok()?;
            let mut handle = std::ptr::null_mut();
            if create(&mut handle) != CUDA_SUCCESS {
                return None;
            }
            Some(Gpu {
                malloc: *runtime.get(b"cudaMalloc\0").ok()?,
                free: *runtime.get(b"cudaFree\0").ok()?,
                memcpy: *runtime.get(b"cudaMemcpy\0").ok()?,
                sgemm: *blas.get(b"cublasSgemm_v2\0").ok()?,
                handle,
                buffers: [(std::ptr::null_mut(), 0); 3],
                _runtime: runtime,
                _blas: blas,
            })
        }
    }

    /// Device buffer `slot` with room for `len` floats.
    fn buffer(&mut self, slot: usize, len: usize) -> Option<*mut f32> {
        let (ptr, capacity) = self.buffers[slot];
        if capacity >= len {
            return Some(ptr);
        }
        unsafe {
            if !ptr.is_null() {
                (self.free)(ptr.cast());
            }
            let mut fresh = std::ptr::null_mut();
            if (self.malloc)(&mut fresh, len * 4) != CUDA_SUCCESS {
                self.buffers[slot] = (std::ptr::null_mut(), 0);
                return None;
            }
            self.buffers[slot] = (fresh.cast(), len);
            Some(fresh.cast())
        }
    }

    fn upload(&mut self, slot: usize, data: &[f32]) -> Option<*mut f32> {
        let device = self.buffer(slot, data.len().max(1))?;
        let status = unsafe {
            (self.memcpy)(
                device.cast(),
                data.as_ptr().cast(),
                data.len() * 4,
                MEMCPY_HOST_TO_DEVICE,
            )
        };
        (status == CUDA_SUCCESS).then_some(device)
    }
}

fn gpu() -> Option<&'static Mutex<Gpu>> {
    static GPU: OnceLock<Option<Mutex<Gpu>>> = OnceLock::new();
    GPU.get_or_init(|| Gpu::load().map(Mutex::new)).as_ref()
}

/// Whether a GPU and cuBLAS were found.
pub fn available() -> bool {
    gpu().is_some()
}

/// The column-major operation and leading dimension of a row-major view read as its
/// column-major transpose: `None` for views that are neither rows nor transposed rows.
fn layout(v: &View) -> Option<(c_int, usize)> {
    if v.cs == 1 && v.rs >= v.cols.max(1) {
        Some((OP_N, v.rs))
    } else if v.rs == 1 && v.cs >= v.rows.max(1) {
        Some((OP_T, v.cs))
    } else {
        None
    }
}

/// The span of `data` a view reads (from its first element).
fn span(v: &View) -> usize {
    if v.rows == 0 || v.cols == 0 {
        return 0;
    }
    (v.rows - 1) * v.rs + (v.cols - 1) * v.cs + 1
}

/// `c = alpha · a · b + beta · c` (row-major `c`, `a.rows × b.cols`, leading dimension
/// `b.cols`) on the GPU; `false` when it did not run there (no GPU, a small product, a
/// view cuBLAS cannot read, a device error), and `c` is then untouched.
pub(crate) fn sgemm(a: View, b: View, c: &mut [f32], alpha: f32, beta: f32) -> bool {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    if m * k * n < MIN_FLOPS {
        return false;
    }
    let (Some((op_a, lda)), Some((op_b, ldb)), Some(gpu)) = (layout(&a), layout(&b), gpu()) else {
        return false;
    };
    let mut gpu = gpu.lock().unwrap_or_else(|e| e.into_inner());
    let c = &mut c[..m * n];
    let (Some(da), Some(db), Some(dc)) = (
        gpu.upload(0, &a.data[..span(&a)]),
        gpu.upload(1, &b.data[..span(&b)]),
        gpu.upload(2, c),
    ) else {
        return false;
    };
    let as_int = |x: usize| c_int::try_from(x).ok();
    let (Some(m), Some(n), Some(k), Some(lda), Some(ldb)) =
        (as_int(m), as_int(n), as_int(k), as_int(lda), as_int(ldb))
    else {
        return false;
    };
    unsafe {
        // Column-major Cᵀ (n × m) = Bᵀ (n × k) · Aᵀ (k × m).
        let status = (gpu.sgemm)(
            gpu.handle, op_b, op_a, n, m, k, &alpha, db, ldb, da, lda, &beta, dc, n,
        );
        if status != CUDA_SUCCESS {
            return false;
        }
        let copied = (gpu.memcpy)(
            c.as_mut_ptr().cast(),
            dc.cast_const().cast(),
            c.len() * 4,
            MEMCPY_DEVICE_TO_HOST,
        );
        copied == CUDA_SUCCESS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs only where a GPU is present; elsewhere it checks the CPU fallback answer.
    #[test]
    fn gpu_products_match_the_cpu_within_float_rounding() {
        let (m, k, n) = (256, 256, 512);
        let a: Vec<f32> = (0..m * k)
            .map(|i| ((i * 7) % 13) as f32 / 13.0 - 0.5)
            .collect();
        let b: Vec<f32> = (0..k * n)
            .map(|i| ((i * 5) % 11) as f32 / 11.0 - 0.5)
            .collect();
        let mut gpu_c = vec![0.0; m * n];
        let ran = sgemm(
            View::rows(&a, m, k),
            View::transposed(&b, n, k),
            &mut gpu_c,
            1.0,
            0.0,
        );
        assert_eq!(ran, available());
        if !ran {
            return;
        }
        for i in 0..m {
            for j in 0..n {
                let cpu: f32 = (0..k).map(|p| a[i * k + p] * b[j * k + p]).sum();
                assert!((cpu - gpu_c[i * n + j]).abs() < 1e-3);
            }
        }
    }
}
