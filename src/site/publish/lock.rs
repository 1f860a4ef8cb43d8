//! One publish of a vault at a time: two (a second `publish`, `serve` rebuilding) share
//! the record and may share the folder, and each would take the other's pages for a
//! stranger's. The lock is the operating system's (`flock`): it goes with the process,
//! so a publish killed mid-way leaves nothing to clean up.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;

use crate::error::{IoContext, Result};

/// Holds the lock beside `record` (`site-cache.lock`) until dropped; waits for another
/// publish holding it, saying so when `say` (a terminal). `None`: no lock file could be
/// made (a read-only `.incident/`), and the publish goes on as before locks.
pub(super) fn hold(record: &Path, say: bool) -> Result<Option<File>> {
    let path = record.with_extension("lock");
    let Ok(file) = OpenOptions::new().create(true).truncate(false).write(true).open(&path) else {
        return Ok(None);
    };
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            if say {
                eprintln!("waiting for another publish of this vault to finish ({})", path.display());
            }
            file.lock().ctx("lock", &path)?;
        }
        // A file system without locks: as before them.
        Err(TryLockError::Error(_)) => return Ok(None),
    }
    Ok(Some(file))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_second_publish_waits_for_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let record = dir.path().join("site-cache");
        let first = super::hold(&record, false).unwrap().expect("locked");
        let (tx, rx) = std::sync::mpsc::channel();
        let waiter = std::thread::spawn({
            let record = record.clone();
            move || {
                let second = super::hold(&record, false).unwrap().expect("locked");
                tx.send(()).unwrap();
                drop(second);
            }
        });
        assert!(rx.recv_timeout(std::time::Duration::from_millis(300)).is_err(), "the second did not wait");
        drop(first);
        rx.recv_timeout(std::time::Duration::from_secs(10)).expect("the second went on once the first ended");
        waiter.join().unwrap();
        assert!(dir.path().join("site-cache.lock").exists());
    }
}
