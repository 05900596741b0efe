//! Long work without the GIL, stoppable by Ctrl-C: the work runs on a
//! scoped thread while the calling thread, holding the GIL for a moment
//! every 20 ms, lets Python handle its signals; a `KeyboardInterrupt`
//! sets the work's stop flag, the work returns what it finished, and the
//! exception is raised.

use pyo3::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Runs `work` with the GIL released, on `threads` worker threads (all
/// cores when `None`), passing it a stop flag set on Ctrl-C.
pub(crate) fn without_gil<T: Send>(
    py: Python<'_>,
    threads: Option<usize>,
    work: impl FnOnce(&AtomicBool) -> T + Send,
) -> PyResult<T> {
    let pool = match threads {
        Some(0) => {
            return Err(pyo3::exceptions::PyValueError::new_err(
                "threads: must be at least 1, got 0",
            ));
        }
        Some(n) => Some(
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?,
        ),
        None => None,
    };
    let stop = AtomicBool::new(false);
    let (out, signal) = py.detach(|| {
        std::thread::scope(|s| {
            let handle = s.spawn(|| match &pool {
                Some(p) => p.install(|| work(&stop)),
                None => work(&stop),
            });
            let mut signal = None;
            while !handle.is_finished() {
                std::thread::sleep(Duration::from_millis(20));
                if signal.is_none()
                    && let Err(e) = Python::attach(|py| py.check_signals())
                {
                    stop.store(true, Ordering::SeqCst);
                    signal = Some(e);
                }
            }
            (handle.join(), signal)
        })
    });
    if let Some(e) = signal {
        return Err(e);
    }
    out.map_err(|_| pyo3::exceptions::PyRuntimeError::new_err("the simulation thread panicked"))
}
