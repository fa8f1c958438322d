//! The meters above the table: per-core CPU bars and the average, memory and
//! swap, tasks, load, uptime, pressure stall and container limits (htop layout:
//! two columns when the terminal is wide enough). iotop shows its totals instead.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use super::app::{App, Flavor};
use super::columns::scale;
use super::render::{put, Theme};

/// One header line: a bar meter or a label and a value.
enum Item {
    Meter {
        label: String,
        /// Percent of the bar for each segment, with its style index.
        segments: Vec<(f64, usize)>,
        text: String,
    },
    Text {
        label: String,
        value: String,
    },
}

/// Short human size: 1.50G, 512M, 900K.
fn human(bytes: u64) -> String {
    let (v, unit) = scale(bytes as f64);
    match unit {
        "B" => format!("{bytes}B"),
        "K" | "M" if v >= 100.0 => format!("{v:.0}{unit}"),
        _ => format!("{v:.2}{unit}"),
    }
}

fn uptime(secs: f64) -> String {
    let s = secs as u64;
    let days = s / 86400;
    let hms = format!(
        "{:02}:{:02}:{:02}",
        (s % 86400) / 3600,
        (s % 3600) / 60,
        s % 60
    );
    match days {
        0 => hms,
        1 => format!("1 day, {hms}"),
        d => format!("{d} days, {hms}"),
    }
}

fn columns_for(width: u16) -> usize {
    if width >= 80 {
        2
    } else {
        1
    }
}

/// Per-core meters, then the two info columns.
fn items(app: &App) -> (Vec<Item>, Vec<Item>, Vec<Item>) {
    let s = &app.snap.system;
    let mut cpus = Vec::new();
    for (i, p) in s.cpu_percpu.iter().enumerate() {
        cpus.push(Item::Meter {
            label: format!("{i:>3}"),
            segments: vec![(*p, 0)],
            text: format!("{p:.1}%"),
        });
    }
    let mut left = Vec::new();
    let mut right = Vec::new();
    let avg = match &s.cpu_times {
        Some(t) => vec![
            (t.user, 0),
            (t.nice, 1),
            (t.system + t.irq + t.softirq, 2),
            (t.steal + t.guest, 4),
        ],
        None => vec![(s.cpu_total, 0)],
    };
    left.push(Item::Meter {
        label: "Avg".into(),
        segments: avg,
        text: format!("{:.1}%", s.cpu_total),
    });
    if let Some(m) = &s.memory {
        let pct = |b: u64| b as f64 * 100.0 / m.total.max(1) as f64;
        left.push(Item::Meter {
            label: "Mem".into(),
            segments: vec![(pct(m.used), 0), (pct(m.buffers), 3), (pct(m.cached), 4)],
            text: format!("{}/{}", human(m.used), human(m.total)),
        });
    }
    if let Some(w) = &s.swap {
        left.push(Item::Meter {
            label: "Swp".into(),
            segments: vec![(w.percent, 2)],
            text: format!("{}/{}", human(w.used), human(w.total)),
        });
    }
    if let Some(p) = &s.pressure {
        for (name, r) in [("cpu", p.cpu), ("mem", p.memory), ("io", p.io)] {
            if let Some(r) = r {
                let some = r.some.map(|l| l.avg10).unwrap_or(0.0);
                let full = r.full.map(|l| l.avg10);
                let text = match full {
                    Some(f) => format!("some {some:.2}% full {f:.2}%"),
                    None => format!("some {some:.2}%"),
                };
                left.push(Item::Meter {
                    label: format!("PSI {name}"),
                    segments: vec![(some, 2)],
                    text,
                });
            }
        }
    }
    if let Some(m) = &s.memory_limit {
        if let (Some(limit), Some(usage)) = (m.limit, m.usage) {
            left.push(Item::Meter {
                label: "Cgroup mem".into(),
                segments: vec![(usage as f64 * 100.0 / limit.max(1) as f64, 0)],
                text: format!("{}/{}", human(usage), human(limit)),
            });
        }
    }
    let c = &app.counts;
    right.push(Item::Text {
        label: "Tasks: ".into(),
        value: format!(
            "{}, {} kthr; {} running",
            c.total, c.kernel_threads, c.running
        ),
    });
    right.push(Item::Text {
        label: "Sleeping: ".into(),
        value: format!(
            "{}  Stopped: {}  Zombie: {}",
            c.sleeping, c.stopped, c.zombie
        ),
    });
    if let Some((a, b, cc)) = s.load {
        right.push(Item::Text {
            label: "Load average: ".into(),
            value: format!("{a:.2} {b:.2} {cc:.2}"),
        });
    }
    if let Some(u) = s.uptime {
        right.push(Item::Text {
            label: "Uptime: ".into(),
            value: uptime(u),
        });
    }
    if let Some(l) = &s.cpu_limit {
        right.push(Item::Text {
            label: "Container CPUs: ".into(),
            value: format!("{:.2} of {}", l.cpus, l.affinity),
        });
    }
    (cpus, left, right)
}

/// iotop's header: the processes' total rates, the disks' own (Current,
/// once two readings exist), and the task count.
fn iotop_lines(app: &App) -> Vec<String> {
    let (r, w) = app.io_total;
    let (rv, ru) = scale(r);
    let (wv, wu) = scale(w);
    let c = &app.counts;
    let mut lines = vec![format!(
        "Total DISK READ: {rv:>8.2} {ru}/s | Total DISK WRITE: {wv:>8.2} {wu}/s"
    )];
    if let Some((r, w)) = app.io_current {
        let (rv, ru) = scale(r);
        let (wv, wu) = scale(w);
        lines.push(format!(
            "Current DISK READ: {rv:>6.2} {ru}/s | Current DISK WRITE: {wv:>6.2} {wu}/s"
        ));
    }
    lines.push(format!(
        "Tasks: {}, {} running{}",
        c.total,
        c.running,
        if app.settings.only_active {
            "  (only active)"
        } else {
            ""
        }
    ));
    lines
}

/// The header's lines for one frame, built once.
pub struct Meters {
    cpus: Vec<Item>,
    left: Vec<Item>,
    right: Vec<Item>,
}

/// Builds the header's lines from the snapshot (iotop has none: its two lines
/// are drawn directly).
pub fn meters(app: &App) -> Meters {
    if app.flavor == Flavor::Iotop {
        return Meters {
            cpus: Vec::new(),
            left: Vec::new(),
            right: Vec::new(),
        };
    }
    let (cpus, left, right) = items(app);
    Meters { cpus, left, right }
}

/// The header's wanted height at this width.
pub fn height(app: &App, m: &Meters, width: u16) -> u16 {
    if app.flavor == Flavor::Iotop {
        return iotop_lines(app).len() as u16;
    }
    let (cpus, left, right) = (&m.cpus, &m.left, &m.right);
    let n = columns_for(width);
    let cpu_lines = cpus.len().div_ceil(n);
    let info = if n == 2 {
        left.len().max(right.len())
    } else {
        left.len() + right.len()
    };
    (cpu_lines + info).min(u16::MAX as usize) as u16
}

/// Draws the header into `area` (only what fits).
pub fn render(app: &App, m: &Meters, area: Rect, buf: &mut Buffer, theme: &Theme) {
    if area.height == 0 || area.width == 0 {
        return;
    }
    if app.flavor == Flavor::Iotop {
        for (i, line) in iotop_lines(app).iter().enumerate() {
            put(buf, area, area.x, area.y + i as u16, line, theme.title);
        }
        return;
    }
    let (cpus, left, right) = (&m.cpus, &m.left, &m.right);
    let n = columns_for(area.width);
    let col_w = area.width / n as u16;
    let cell = |i: usize, row: usize| Rect {
        x: area.x + (i as u16) * col_w,
        y: area.y.saturating_add(row.min(u16::MAX as usize) as u16),
        width: if i + 1 == n {
            area.width - (i as u16) * col_w
        } else {
            col_w.saturating_sub(1)
        },
        height: 1,
    };
    // CPUs fill the columns top to bottom, like htop's "CPUs (1/2)" meters.
    let cpu_lines = cpus.len().div_ceil(n);
    for (k, item) in cpus.iter().enumerate() {
        draw_item(
            item,
            cell(k / cpu_lines.max(1), k % cpu_lines.max(1)),
            area,
            buf,
            theme,
        );
    }
    if n == 2 {
        for (k, item) in left.iter().enumerate() {
            draw_item(item, cell(0, cpu_lines + k), area, buf, theme);
        }
        for (k, item) in right.iter().enumerate() {
            draw_item(item, cell(1, cpu_lines + k), area, buf, theme);
        }
    } else {
        for (k, item) in left.iter().chain(right.iter()).enumerate() {
            draw_item(item, cell(0, cpu_lines + k), area, buf, theme);
        }
    }
}

fn draw_item(item: &Item, r: Rect, clip: Rect, buf: &mut Buffer, theme: &Theme) {
    let clip = clip.intersection(Rect { height: 1, ..r });
    if clip.is_empty() {
        return;
    }
    match item {
        Item::Text { label, value } => {
            let x = put(buf, clip, r.x, r.y, label, theme.label);
            put(buf, clip, x, r.y, value, theme.value);
        }
        Item::Meter {
            label,
            segments,
            text,
        } => meter(label, segments, text, r, clip, buf, theme),
    }
}

/// htop's bar meter: `Label[|||||||     text]`.
fn meter(
    label: &str,
    segments: &[(f64, usize)],
    text: &str,
    r: Rect,
    clip: Rect,
    buf: &mut Buffer,
    theme: &Theme,
) {
    let mut x = put(buf, clip, r.x, r.y, label, theme.label);
    x = put(buf, clip, x, r.y, "[", theme.title);
    let inner = r.right().saturating_sub(x).saturating_sub(1);
    if inner == 0 {
        return;
    }
    let mut filled = 0u16;
    let mut total = 0.0;
    for &(pct, style) in segments {
        total += pct.clamp(0.0, 100.0);
        let upto = ((total.min(100.0) / 100.0) * f64::from(inner)).round() as u16;
        let style: Style = theme.bar[style.min(theme.bar.len() - 1)];
        while filled < upto.min(inner) {
            put(buf, clip, x + filled, r.y, "|", style);
            filled += 1;
        }
    }
    let tlen = text.chars().count() as u16;
    if tlen < inner {
        put(buf, clip, x + inner - tlen, r.y, text, theme.text);
    }
    put(buf, clip, x + inner, r.y, "]", theme.title);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uptime_text() {
        assert_eq!(uptime(59.0), "00:00:59");
        assert_eq!(uptime(86400.0 + 3661.0), "1 day, 01:01:01");
        assert_eq!(uptime(3.0 * 86400.0), "3 days, 00:00:00");
    }

    #[test]
    fn human_sizes() {
        assert_eq!(human(512), "512B");
        assert_eq!(human(2 * 1024 * 1024 * 1024), "2.00G");
        assert_eq!(human(512 * 1024 * 1024), "512M");
    }
}
