//! Lists the mounted disk partitions with their usage, like `df -h`.
//!
//! Port of psutil's `scripts/disk_usage.py`:
//!
//! ```text
//! $ cargo run -p pskit --example disk_usage
//! Device               Total     Used     Free  Use %      Type  Mount
//! /dev/sdb3            18.9G    14.7G     3.3G    77%      ext4  /
//! /dev/sda6           345.9G    83.8G   244.5G    24%      ext4  /home
//! ```

use pskit::bytes2human;

/// The script's template: `{:<17} {:>8} {:>8} {:>8} {:>5}% {:>9}  {}`.
fn print_row([device, total, used, free, percent, fstype, mount]: [&str; 7]) {
    println!("{device:<17} {total:>8} {used:>8} {free:>8} {percent:>5}% {fstype:>9}  {mount}");
}

fn main() -> pskit::Result<()> {
    print_row(["Device", "Total", "Used", "Free", "Use ", "Type", "Mount"]);
    for part in pskit::disk_partitions(false)? {
        let usage = pskit::disk_usage(&part.mountpoint)?;
        print_row([
            &part.device,
            &bytes2human(usage.total),
            &bytes2human(usage.used),
            &bytes2human(usage.free),
            &(usage.percent as i64).to_string(), // psutil's int(): truncated
            &part.fstype,
            &part.mountpoint,
        ]);
    }
    Ok(())
}
