//! The JSON report: the stable contract other tools parse (see README "JSON contract").

use super::{Emitter, Report};
use std::io;

pub struct Json;

impl Emitter for Json {
    fn emit(&self, report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, report)?;
        out.write_all(b"\n")
    }
}
