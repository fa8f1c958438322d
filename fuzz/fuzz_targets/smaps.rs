#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pskit::fuzzing::smaps(data));
