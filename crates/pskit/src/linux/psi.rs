//! /proc/pressure/{cpu,memory,io,irq}: parser and reader.

use std::io;

use crate::error::{Error, Result};
use crate::linux::fs::{is_not_found, with_text};
use crate::pressure::{Pressure, PressureLine, ResourcePressure};
use crate::root::Root;

/// Parses one PSI file: lines `some|full avg10=F avg60=F avg300=F total=N`.
pub(crate) fn parse_psi(text: &str) -> std::result::Result<ResourcePressure, String> {
    let mut out = ResourcePressure::default();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let mut it = line.split_ascii_whitespace();
        let kind = it.next().unwrap_or("");
        let mut p = PressureLine::default();
        let mut seen = 0u8;
        for kv in it {
            let (k, v) = kv
                .split_once('=')
                .ok_or_else(|| format!("bad field {kv:?}"))?;
            let bad = || format!("bad value in {kv:?}");
            match k {
                "avg10" => p.avg10 = v.parse().map_err(|_| bad())?,
                "avg60" => p.avg60 = v.parse().map_err(|_| bad())?,
                "avg300" => p.avg300 = v.parse().map_err(|_| bad())?,
                "total" => p.total = v.parse().map_err(|_| bad())?,
                _ => continue,
            }
            seen += 1;
        }
        if seen < 4 {
            return Err(format!("incomplete line {line:?}"));
        }
        match kind {
            "some" => out.some = Some(p),
            "full" => out.full = Some(p),
            _ => return Err(format!("unknown line {line:?}")),
        }
    }
    if out.some.is_none() && out.full.is_none() {
        return Err("empty pressure file".into());
    }
    Ok(out)
}

pub(crate) fn pressure(root: &Root) -> Result<Pressure> {
    let dir = root.proc_path("pressure");
    if !dir.is_dir() {
        return Err(Error::Unsupported(format!(
            "pressure stall information is not available ({} is missing: kernel < 4.20 or without CONFIG_PSI)",
            dir.display()
        )));
    }
    let read = |name: &str| -> Result<Option<ResourcePressure>> {
        let path = dir.join(name);
        match with_text(&path, |s| parse_psi(s).map_err(|m| Error::parse(&path, m))) {
            Ok(p) => Ok(Some(p)),
            Err(e) if is_not_found(&e) => Ok(None),
            // psi=0 on the kernel command line: the files exist but reading fails.
            Err(Error::Io { source, .. })
                if source.kind() == io::ErrorKind::Unsupported
                    || source.raw_os_error() == Some(95) =>
            {
                Err(Error::Unsupported(format!(
                    "pressure stall information is disabled ({}: {source})",
                    path.display()
                )))
            }
            Err(e) => Err(e),
        }
    };
    Ok(Pressure {
        cpu: read("cpu")?,
        memory: read("memory")?,
        io: read("io")?,
        irq: read("irq")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn some_and_full() {
        let p = parse_psi(
            "some avg10=0.31 avg60=1.04 avg300=0.40 total=1682258\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
        )
        .unwrap();
        let some = p.some.unwrap();
        assert_eq!(
            (some.avg10, some.avg60, some.avg300, some.total),
            (0.31, 1.04, 0.40, 1682258)
        );
        assert_eq!(p.full.unwrap().total, 0);
    }

    #[test]
    fn cpu_without_full_line() {
        let p = parse_psi("some avg10=1.00 avg60=2.00 avg300=3.00 total=4\n").unwrap();
        assert!(p.full.is_none());
    }

    #[test]
    fn garbage_is_an_error() {
        for bad in [
            "",
            "some\n",
            "some avg10=x avg60=1 avg300=1 total=1",
            "weird avg10=1 avg60=1 avg300=1 total=1",
            "some avg10",
        ] {
            assert!(parse_psi(bad).is_err(), "{bad:?}");
        }
    }
}
