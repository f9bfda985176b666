//! A download service that runs jobs on worker threads and keeps each result by task
//! id. A failing job's error is not logged and lost: it is kept as an `Err` the
//! caller can inspect.
//!
//! No network: each "download" sleeps a few milliseconds per image.
//!
//! `cargo run --example task_service`

use queuekit::{ResultError, TaskService};
use std::thread;
use std::time::Duration;

/// What a finished download reports.
#[derive(Debug)]
struct Downloaded {
    album: String,
    images: usize,
}

/// The job's own failure (an HTTP error, say): kept, not logged and dropped.
#[derive(Debug)]
struct DownloadError(String);

/// Stands in for `threading_download_job(task_id, params, logger)`.
fn download_album(album: &str, links: &[&str]) -> Result<Downloaded, DownloadError> {
    for link in links {
        thread::sleep(Duration::from_millis(2)); // "fetch" one image
        if link.ends_with("missing.jpg") {
            return Err(DownloadError(format!("HTTP 404 for {link}")));
        }
        if link.ends_with("corrupt.jpg") {
            panic!("decoder crashed on {link}");
        }
    }
    Ok(Downloaded {
        album: album.to_owned(),
        images: links.len(),
    })
}

fn main() {
    // The pool catches task panics; keep the default hook's report to one line.
    std::panic::set_hook(Box::new(|info| {
        eprintln!(
            "[a task panicked: {}]",
            info.payload()
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| info.payload().downcast_ref::<String>().map(String::as_str))
                .unwrap_or("?")
        );
    }));
    // ThreadingService(logger, num_workers=3) + start_workers(): workers start
    // lazily, on the first add_task.
    let service = TaskService::new(3).expect("3 workers is a valid pool");

    let albums: [(&str, &[&str]); 4] = [
        ("holiday", &["a.jpg", "b.jpg", "c.jpg"]),
        ("cats", &["cat1.jpg", "cat2.jpg"]),
        ("archive", &["old.jpg", "missing.jpg"]),
        ("broken", &["x.jpg", "corrupt.jpg"]),
    ];
    for (album, links) in albums {
        // add_task(task_id, params, job)
        service
            .add_task(format!("album:{album}"), move || {
                download_album(album, links)
            })
            .expect("ids are unique");
    }
    // Adding the same id again is an error that hands the job back.
    let dup = service.add_task("album:cats".to_owned(), || download_album("cats", &[]));
    println!("duplicate id refused: {}", dup.unwrap_err());

    // wait_completion(): every task added so far has finished.
    service.wait_completion();

    // get_result(task_id), for every outcome.
    for (album, _) in albums {
        let id = format!("album:{album}");
        match service.result(&id) {
            Ok(Ok(done)) => println!("{id:<14} ok: {} images in {:?}", done.images, done.album),
            Ok(Err(DownloadError(why))) => println!("{id:<14} job failed: {why}"),
            Err(ResultError::Failed(e)) => println!("{id:<14} crashed: {e}"),
            Err(other) => println!("{id:<14} no result: {other}"),
        }
    }
    // Unknown ids are an error at once, never a hang.
    println!(
        "album:nope     {:?}",
        service.result(&"album:nope".to_owned()).unwrap_err()
    );
    println!(
        "pool: {} completed, {} panicked",
        service.pool().stats().completed,
        service.pool().stats().panicked
    );
}
