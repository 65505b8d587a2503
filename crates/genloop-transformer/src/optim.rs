//! AdamW with decoupled weight decay on 2-D weights, a warm-up + cosine learning-rate
//! schedule, and global-norm gradient clipping.

use crate::params::Layout;

/// AdamW's settings (defaults: GPT-2 / GPT-3 practice).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdamWConfig {
    /// First-moment decay.
    pub beta1: f32,
    /// Second-moment decay.
    pub beta2: f32,
    /// Denominator guard.
    pub eps: f32,
    /// Decoupled weight decay, applied to 2-D weights only (not biases, not LayerNorms).
    pub weight_decay: f32,
}

impl Default for AdamWConfig {
    fn default() -> Self {
        AdamWConfig {
            beta1: 0.9,
            beta2: 0.95,
            eps: 1e-8,
            weight_decay: 0.1,
        }
    }
}

/// AdamW's state for one model: moments laid out like the parameters.
#[derive(Clone, Debug)]
pub struct AdamW {
    /// Settings.
    pub config: AdamWConfig,
    m: Vec<f32>,
    v: Vec<f32>,
    decay: Vec<bool>,
    step: u32,
}

impl AdamW {
    /// Fresh state for parameters with this layout.
    pub fn new(config: AdamWConfig, layout: &Layout) -> Self {
        let mut decay = vec![false; layout.total];
        for spec in layout.tensors.iter().filter(|s| s.shape.len() == 2) {
            decay[spec.range()].fill(true);
        }
        AdamW {
            config,
            m: vec![0.0; layout.total],
            v: vec![0.0; layout.total],
            decay,
            step: 0,
        }
    }

    /// Steps taken so far.
    pub fn steps(&self) -> u32 {
        self.step
    }

    /// One update of `params` from `grads` at learning rate `lr`.
    pub fn step(&mut self, params: &mut [f32], grads: &[f32], lr: f32) {
        assert_eq!(
            params.len(),
            self.m.len(),
            "parameters do not match the optimiser"
        );
        assert_eq!(
            grads.len(),
            self.m.len(),
            "gradients do not match the optimiser"
        );
        self.step += 1;
        let c = self.config;
        let correct1 = 1.0 - c.beta1.powi(self.step as i32);
        let correct2 = 1.0 - c.beta2.powi(self.step as i32);
        for i in 0..params.len() {
            let g = grads[i];
            self.m[i] = c.beta1 * self.m[i] + (1.0 - c.beta1) * g;
            self.v[i] = c.beta2 * self.v[i] + (1.0 - c.beta2) * g * g;
            let m_hat = self.m[i] / correct1;
            let v_hat = self.v[i] / correct2;
            let decay = if self.decay[i] {
                c.weight_decay * params[i]
            } else {
                0.0
            };
            params[i] -= lr * (m_hat / (v_hat.sqrt() + c.eps) + decay);
        }
    }
}

/// Learning rate at `step` (0-based): linear warm-up from `max_lr / warmup` to `max_lr` over
/// `warmup` steps, then cosine decay to 10 % of `max_lr` at `total` steps.
pub fn learning_rate(step: usize, max_lr: f32, warmup: usize, total: usize) -> f32 {
    let min_lr = 0.1 * max_lr;
    if step < warmup {
        return max_lr * (step + 1) as f32 / warmup as f32;
    }
    if step >= total {
        return min_lr;
    }
    let progress = (step - warmup) as f32 / (total - warmup).max(1) as f32;
    let cosine = 0.5 * (1.0 + (std::f32::consts::PI * progress).cos());
    min_lr + cosine * (max_lr - min_lr)
}

/// Scales `grads` so their global L2 norm is at most `max_norm`; returns the norm before
/// clipping (accumulated in f64).
pub fn clip_grad_norm(grads: &mut [f32], max_norm: f32) -> f32 {
    let norm = grads
        .iter()
        .map(|&g| f64::from(g) * f64::from(g))
        .sum::<f64>()
        .sqrt() as f32;
    if norm > max_norm && norm > 0.0 {
        let scale = max_norm / norm;
        grads.iter_mut().for_each(|g| *g *= scale);
    }
    norm
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_warms_up_then_decays_to_a_tenth() {
        assert!((learning_rate(0, 1.0, 10, 100) - 0.1).abs() < 1e-6);
        assert!((learning_rate(9, 1.0, 10, 100) - 1.0).abs() < 1e-6);
        assert!((learning_rate(10, 1.0, 10, 100) - 1.0).abs() < 1e-6);
        assert!((learning_rate(100, 1.0, 10, 100) - 0.1).abs() < 1e-6);
        assert!(learning_rate(55, 1.0, 10, 100) < 1.0 && learning_rate(55, 1.0, 10, 100) > 0.1);
    }

    #[test]
    fn clipping_bounds_the_global_norm() {
        let mut g = vec![3.0, 4.0];
        assert_eq!(clip_grad_norm(&mut g, 1.0), 5.0);
        assert!((g[0] - 0.6).abs() < 1e-6 && (g[1] - 0.8).abs() < 1e-6);
        let mut small = vec![0.3, 0.4];
        clip_grad_norm(&mut small, 1.0);
        assert_eq!(small, vec![0.3, 0.4]);
    }
}
