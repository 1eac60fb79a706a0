//! A progress bar on stderr while a long scan runs, for people at a terminal only; and, with
//! `-v`, how long each stage took.

use super::Ui;
use cargo_warden::{Progress, ProgressSink, ScanOptions};
use std::sync::Arc;

/// A progress bar on stderr for people at a terminal: never with `-q`, never in CI logs (`CI`
/// set), never when stderr is piped or redirected.
struct Bar(indicatif::ProgressBar);

impl Progress for Bar {
    fn stage(&self, name: &'static str, steps: u64) {
        // Empty stages (no workspace for cargo metadata) would flash a full bar.
        if steps == 0 {
            return;
        }
        self.0.reset();
        self.0.set_length(steps);
        self.0.set_message(name);
        // Shown once the first stage is set up, so no empty frame flashes first.
        if self.0.is_hidden() {
            self.0
                .set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
    }

    fn step(&self) {
        self.0.inc(1);
    }
}

/// The progress receiver the scan gets: the bar (when shown) and, with `-v`, the start of each
/// stage, so the stages' times can be printed afterwards.
struct Watch {
    bar: Option<Arc<Bar>>,
    stages: Option<std::sync::Mutex<Vec<(&'static str, std::time::Instant)>>>,
}

impl Progress for Watch {
    fn stage(&self, name: &'static str, steps: u64) {
        if let Some(bar) = &self.bar {
            bar.stage(name, steps);
        }
        if let Some(stages) = &self.stages {
            if let Ok(mut stages) = stages.lock() {
                // A check that announces itself again with its steps is the same stage.
                if stages.last().is_none_or(|(last, _)| *last != name) {
                    stages.push((name, std::time::Instant::now()));
                }
            }
        }
    }

    fn step(&self) {
        if let Some(bar) = &self.bar {
            bar.step();
        }
    }
}

fn progress_bar(ui: Ui) -> Option<Arc<Bar>> {
    use std::io::IsTerminal;
    if ui.quiet || std::env::var_os("CI").is_some() || !std::io::stderr().is_terminal() {
        return None;
    }
    // Hidden until a stage with steps starts.
    let bar = indicatif::ProgressBar::hidden();
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg:>14} [{bar:32}] {pos}/{len} ({elapsed})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    Some(Arc::new(Bar(bar)))
}

/// Runs a scan step with the progress bar up, and clears it before anything else prints.
pub fn with_progress<T>(
    ui: Ui,
    options: &mut ScanOptions,
    run: impl FnOnce(&ScanOptions) -> T,
) -> T {
    let bar = progress_bar(ui);
    let watch = Arc::new(Watch {
        bar: bar.clone(),
        stages: ui.verbose().then(|| std::sync::Mutex::new(Vec::new())),
    });
    options.progress = (watch.bar.is_some() || watch.stages.is_some())
        .then(|| ProgressSink(watch.clone() as Arc<dyn Progress>));
    let started = std::time::Instant::now();
    let result = run(options);
    let finished = std::time::Instant::now();
    if let Some(bar) = bar {
        bar.0.finish_and_clear();
    }
    let stages = watch
        .stages
        .as_ref()
        .and_then(|stages| stages.lock().ok().map(|stages| stages.clone()))
        .unwrap_or_default();
    for (index, (name, start)) in stages.iter().enumerate() {
        let end = stages.get(index + 1).map_or(finished, |(_, next)| *next);
        ui.detail(format!("  {name}: {:.2} s", (end - *start).as_secs_f64()));
    }
    ui.detail(format!(
        "scan took {:.2} s",
        (finished - started).as_secs_f64()
    ));
    result
}
