//! A clone of `ps aux`: psutil's `scripts/ps.py`, ported.
//!
//! ```text
//! $ cargo run -p pskit --example ps
//! USER         PID  %MEM     VSZ     RSS  NICE STATUS  START   TIME  CMDLINE
//! root           1   0.1  163.5M    9.2M        sleep  Dec01  00:08  /sbin/init
//! ```
//!
//! It shows `process_iter` with attributes: one scan that reads only what the
//! columns need, each value a typed field (`p.memory_info.get()`), with psutil's
//! `ad_value=None` as [`pskit::process::Field::Denied`].

#[path = "support/py.rs"]
mod py;

use pskit::process::Attr;

fn main() -> pskit::Result<()> {
    let today = chrono::Local::now().date_naive();
    let templ = |c: [&str; 10]| {
        format!(
            "{:<10} {:>5} {:>5} {:>7} {:>7} {:>5} {:>6} {:>6} {:>6}  {}",
            c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9]
        )
    };
    let attrs = [
        Attr::Pid,
        Attr::MemoryPercent,
        Attr::Name,
        Attr::Cmdline,
        Attr::CpuTimes,
        Attr::CreateTime,
        Attr::MemoryInfo,
        Attr::Status,
        Attr::Nice,
        Attr::Username,
    ];
    let width = py::terminal_columns();
    let mut out = String::new();
    out.push_str(&templ([
        "USER", "PID", "%MEM", "VSZ", "RSS", "NICE", "STATUS", "START", "TIME", "CMDLINE",
    ]));
    out.push('\n');
    for p in pskit::process_iter(attrs)? {
        let ctime = match p.create_time.get().and_then(|&t| py::local_time(t)) {
            Some(t) if t.date_naive() == today => t.format("%H:%M").to_string(),
            Some(t) => t.format("%b%d").to_string(),
            None => String::new(),
        };
        // time.strftime("%M:%S", time.localtime(sum(cpu_times)))
        let cputime = match p.cpu_times.get() {
            Some(t) => {
                let total = t.user + t.system + t.children_user + t.children_system + t.iowait;
                py::local_time(total.floor())
                    .map(|t| t.format("%M:%S").to_string())
                    .unwrap_or_default()
            }
            None => String::new(),
        };
        let user = match p.username.get() {
            Some(u) if !u.is_empty() => u.clone(),
            _ => p
                .process
                .uids()
                .map(|u| u.real.to_string())
                .unwrap_or_default(),
        };
        let user = py::prefix(&user, 9);
        let mem = p.memory_info.get();
        let vms = mem.map(|m| pskit::bytes2human(m.vms)).unwrap_or_default();
        let rss = mem.map(|m| pskit::bytes2human(m.rss)).unwrap_or_default();
        let memp = p
            .memory_percent
            .get()
            .map(|&m| py::float(py::round(m, 1)))
            .unwrap_or_default();
        // `int(nice) if nice else ''`: a nice of 0 shows as blank.
        let nice = match p.nice.get() {
            Some(&n) if n != 0 => n.to_string(),
            _ => String::new(),
        };
        let cmdline = match p.cmdline.get() {
            Some(c) if !c.is_empty() => c.join(" "),
            _ => p.name.get().cloned().unwrap_or_else(|| "None".into()),
        };
        let status = p
            .status
            .get()
            .map(|s| py::prefix(s.as_str(), 5).to_string())
            .unwrap_or_default();
        let pid = p.pid().to_string();
        let line = templ([
            user, &pid, &memp, &vms, &rss, &nice, &status, &ctime, &cputime, &cmdline,
        ]);
        out.push_str(py::prefix(&line, width));
        out.push('\n');
    }
    // One write for the whole table.
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    Ok(())
}
