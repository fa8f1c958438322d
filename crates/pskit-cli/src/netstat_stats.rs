//! `pskit netstat -s`: net-tools' per-protocol statistics from
//! /proc/net/snmp, /proc/net/netstat, /proc/net/sctp/snmp and
//! /proc/net/snmp6, with net-tools 2.10's phrases ("12867 total packets
//! received") and its quirks, so the output is the same line for line.
//!
//! net-tools finds a counter's phrase by a binary search over tables that
//! are not quite sorted (`Forwarding` before `ForwDatagrams`, most of
//! TcpExt), so some counters it knows a phrase for come out as
//! `Name: value`. The tables below keep net-tools 2.10's order and
//! [`lookup`] searches them as glibc's `bsearch` does, so the same counters
//! fall through.

use std::fmt::Write as _;
use std::process::ExitCode;

use crate::fmt::CmdResult;

/// How a counter is printed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// Always, with its phrase.
    Num,
    /// Only when not zero.
    OptNum,
    /// "Forwarding is enabled/disabled" (a static setting).
    Forward,
    /// A line of the ICMP input histogram (only when not zero).
    InIcmp,
    /// A line of the ICMP output histogram (only when not zero).
    OutIcmp,
    /// The RTO algorithm: never printed.
    RtoAlg,
}
use Kind::*;

impl Kind {
    /// The indentation of a line printed in this state.
    fn indent(self) -> usize {
        match self {
            InIcmp | OutIcmp => 8,
            RtoAlg => 0,
            _ => 4,
        }
    }

    /// The heading a histogram line brings with it.
    fn heading(self) -> &'static str {
        match self {
            InIcmp => "ICMP input histogram:",
            OutIcmp => "ICMP output histogram:",
            _ => "",
        }
    }
}

/// A counter net-tools has a phrase for.
struct Entry {
    title: &'static str,
    phrase: &'static str,
    kind: Kind,
    /// A static setting, shown only by net-tools' hidden static mode.
    setting: bool,
    /// Part of a histogram with a heading.
    titled: bool,
}

const fn e(
    title: &'static str,
    phrase: &'static str,
    kind: Kind,
    setting: bool,
    titled: bool,
) -> Entry {
    Entry {
        title,
        phrase,
        kind,
        setting,
        titled,
    }
}

// net-tools 2.10's phrase tables, in its order (which its lookup depends on).
const IP: &[Entry] = &[
    e("DefaultTTL", "Default TTL is %llu", Num, true, false),
    e("Forwarding", "Forwarding is %s", Forward, true, false),
    e("ForwDatagrams", "%llu forwarded", Num, false, false),
    e(
        "FragCreates",
        "%llu fragments created",
        OptNum,
        false,
        false,
    ),
    e(
        "FragFails",
        "%llu outgoing packets failed fragmentation",
        OptNum,
        false,
        false,
    ),
    e(
        "FragOKs",
        "%llu outgoing packets fragmented ok",
        OptNum,
        false,
        false,
    ),
    e(
        "InAddrErrors",
        "%llu with invalid addresses",
        OptNum,
        false,
        false,
    ),
    e(
        "InDelivers",
        "%llu incoming packets delivered",
        Num,
        false,
        false,
    ),
    e(
        "InDiscards",
        "%llu incoming packets discarded",
        Num,
        false,
        false,
    ),
    e(
        "InHdrErrors",
        "%llu with invalid headers",
        OptNum,
        false,
        false,
    ),
    e(
        "InReceives",
        "%llu total packets received",
        Num,
        false,
        false,
    ),
    e(
        "InUnknownProtos",
        "%llu with unknown protocol",
        OptNum,
        false,
        false,
    ),
    e(
        "OutDiscards",
        "%llu outgoing packets dropped",
        OptNum,
        false,
        false,
    ),
    e(
        "OutNoRoutes",
        "%llu dropped because of missing route",
        OptNum,
        false,
        false,
    ),
    e("OutRequests", "%llu requests sent out", Num, false, false),
    e(
        "ReasmFails",
        "%llu packet reassemblies failed",
        OptNum,
        false,
        false,
    ),
    e(
        "ReasmOKs",
        "%llu packets reassembled ok",
        OptNum,
        false,
        false,
    ),
    e(
        "ReasmReqds",
        "%llu reassemblies required",
        OptNum,
        false,
        false,
    ),
    e(
        "ReasmTimeout",
        "%llu fragments dropped after timeout",
        OptNum,
        false,
        false,
    ),
];

const IP6: &[Entry] = &[
    e(
        "Ip6FragCreates",
        "%llu fragments created",
        OptNum,
        false,
        false,
    ),
    e(
        "Ip6FragFails",
        "%llu outgoing packets failed fragmentation",
        OptNum,
        false,
        false,
    ),
    e(
        "Ip6FragOKs",
        "%llu outgoing packets fragmented ok",
        OptNum,
        false,
        false,
    ),
    e(
        "Ip6InAddrErrors",
        "%llu with invalid addresses",
        OptNum,
        false,
        false,
    ),
    e(
        "Ip6InDelivers",
        "%llu incoming packets delivered",
        Num,
        false,
        false,
    ),
    e(
        "Ip6InDiscards",
        "%llu incoming packets discarded",
        Num,
        false,
        false,
    ),
    e(
        "Ip6InHdrErrors",
        "%llu with invalid headers",
        OptNum,
        false,
        false,
    ),
    e(
        "Ip6InMcastPkts",
        "%llu incoming multicast packets",
        OptNum,
        false,
        false,
    ),
    e(
        "Ip6InNoRoutes",
        "%llu incoming packets with no route",
        OptNum,
        false,
        false,
    ),
    e(
        "Ip6InReceives",
        "%llu total packets received",
        Num,
        false,
        false,
    ),
    e(
        "Ip6InTooBigErrors",
        "%llu with packets too big",
        OptNum,
        false,
        false,
    ),
    e(
        "Ip6InTruncatedPkts",
        "%llu with truncated packets",
        OptNum,
        false,
        false,
    ),
    e(
        "Ip6InUnknownProtos",
        "%llu with unknown protocol",
        OptNum,
        false,
        false,
    ),
    e(
        "Ip6OutDiscards",
        "%llu outgoing packets dropped",
        OptNum,
        false,
        false,
    ),
    e("Ip6OutForwDatagrams", "%llu forwarded", Num, false, false),
    e(
        "Ip6OutMcastPkts",
        "%llu outgoing multicast packets",
        OptNum,
        false,
        false,
    ),
    e(
        "Ip6OutNoRoutes",
        "%llu dropped because of missing route",
        OptNum,
        false,
        false,
    ),
    e(
        "Ip6OutRequests",
        "%llu requests sent out",
        Num,
        false,
        false,
    ),
    e(
        "Ip6ReasmFails",
        "%llu packet reassemblies failed",
        OptNum,
        false,
        false,
    ),
    e(
        "Ip6ReasmOKs",
        "%llu packets reassembled ok",
        OptNum,
        false,
        false,
    ),
    e(
        "Ip6ReasmReqds",
        "%llu reassemblies required",
        OptNum,
        false,
        false,
    ),
    e(
        "Ip6ReasmTimeout",
        "%llu fragments dropped after timeout",
        OptNum,
        false,
        false,
    ),
];

const ICMP: &[Entry] = &[
    e(
        "InAddrMaskReps",
        "address mask replies: %llu",
        InIcmp,
        false,
        true,
    ),
    e(
        "InAddrMasks",
        "address mask request: %llu",
        InIcmp,
        false,
        true,
    ),
    e(
        "InDestUnreachs",
        "destination unreachable: %llu",
        InIcmp,
        false,
        true,
    ),
    e("InEchoReps", "echo replies: %llu", InIcmp, false, true),
    e("InEchos", "echo requests: %llu", InIcmp, false, true),
    e(
        "InErrors",
        "%llu input ICMP message failed",
        Num,
        false,
        false,
    ),
    e("InMsgs", "%llu ICMP messages received", Num, false, false),
    e("InParmProbs", "wrong parameters: %llu", InIcmp, false, true),
    e("InRedirects", "redirects: %llu", InIcmp, false, true),
    e("InSrcQuenchs", "source quenches: %llu", InIcmp, false, true),
    e(
        "InTimeExcds",
        "timeout in transit: %llu",
        InIcmp,
        false,
        true,
    ),
    e(
        "InTimestampReps",
        "timestamp reply: %llu",
        InIcmp,
        false,
        true,
    ),
    e(
        "InTimestamps",
        "timestamp request: %llu",
        InIcmp,
        false,
        true,
    ),
    e(
        "OutAddrMaskReps",
        "address mask replies: %llu",
        OutIcmp,
        false,
        true,
    ),
    e(
        "OutAddrMasks",
        "address mask requests: %llu",
        OutIcmp,
        false,
        true,
    ),
    e(
        "OutDestUnreachs",
        "destination unreachable: %llu",
        OutIcmp,
        false,
        true,
    ),
    e("OutEchoReps", "echo replies: %llu", OutIcmp, false, true),
    e("OutEchos", "echo requests: %llu", OutIcmp, false, true),
    e("OutErrors", "%llu ICMP messages failed", Num, false, false),
    e("OutMsgs", "%llu ICMP messages sent", Num, false, false),
    e(
        "OutParmProbs",
        "wrong parameters: %llu",
        OutIcmp,
        false,
        true,
    ),
    e("OutRedirects", "redirect: %llu", OutIcmp, false, true),
    e("OutSrcQuenchs", "source quench: %llu", OutIcmp, false, true),
    e("OutTimeExcds", "time exceeded: %llu", OutIcmp, false, true),
    e(
        "OutTimestampReps",
        "timestamp replies: %llu",
        OutIcmp,
        false,
        true,
    ),
    e(
        "OutTimestamps",
        "timestamp requests: %llu",
        OutIcmp,
        false,
        true,
    ),
];

const ICMP6: &[Entry] = &[
    e(
        "Icmp6InDestUnreachs",
        "destination unreachable: %llu",
        InIcmp,
        false,
        true,
    ),
    e(
        "Icmp6InEchoReplies",
        "echo replies: %llu",
        InIcmp,
        false,
        true,
    ),
    e("Icmp6InEchos", "echo requests: %llu", InIcmp, false, true),
    e(
        "Icmp6InErrors",
        "%llu input ICMP message failed",
        Num,
        false,
        false,
    ),
    e(
        "Icmp6InGroupMembQueries",
        "group member queries: %llu",
        InIcmp,
        false,
        true,
    ),
    e(
        "Icmp6InGroupMembReductions",
        "group member reductions: %llu",
        InIcmp,
        false,
        true,
    ),
    e(
        "Icmp6InGroupMembResponses",
        "group member responses: %llu",
        InIcmp,
        false,
        true,
    ),
    e(
        "Icmp6InMsgs",
        "%llu ICMP messages received",
        Num,
        false,
        false,
    ),
    e(
        "Icmp6InNeighborAdvertisements",
        "neighbour advertisement: %llu",
        InIcmp,
        false,
        true,
    ),
    e(
        "Icmp6InNeighborSolicits",
        "neighbour solicits: %llu",
        InIcmp,
        false,
        true,
    ),
    e(
        "Icmp6InParmProblems",
        "parameter problem: %llu",
        InIcmp,
        false,
        true,
    ),
    e(
        "Icmp6InPktTooBigs",
        "packets too big: %llu",
        InIcmp,
        false,
        true,
    ),
    e("Icmp6InRedirects", "redirects: %llu", InIcmp, false, true),
    e(
        "Icmp6InRouterAdvertisements",
        "router advertisement: %llu",
        InIcmp,
        false,
        true,
    ),
    e(
        "Icmp6InRouterSolicits",
        "router solicits: %llu",
        InIcmp,
        false,
        true,
    ),
    e(
        "Icmp6InTimeExcds",
        "received ICMPv6 time exceeded: %llu",
        InIcmp,
        false,
        true,
    ),
    e(
        "Icmp6OutDestUnreachs",
        "destination unreachable: %llu",
        OutIcmp,
        false,
        true,
    ),
    e(
        "Icmp6OutEchoReplies",
        "echo replies: %llu",
        OutIcmp,
        false,
        true,
    ),
    e("Icmp6OutEchos", "echo requests: %llu", OutIcmp, false, true),
    e(
        "Icmp6OutGroupMembQueries",
        "group member queries: %llu",
        OutIcmp,
        false,
        true,
    ),
    e(
        "Icmp6OutGroupMembReductions",
        "group member reductions: %llu",
        OutIcmp,
        false,
        true,
    ),
    e(
        "Icmp6OutGroupMembResponses",
        "group member responses: %llu",
        OutIcmp,
        false,
        true,
    ),
    e("Icmp6OutMsgs", "%llu ICMP messages sent", Num, false, false),
    e(
        "Icmp6OutNeighborAdvertisements",
        "neighbor advertisements: %llu",
        OutIcmp,
        false,
        true,
    ),
    e(
        "Icmp6OutNeighborSolicits",
        "neighbor solicits: %llu",
        OutIcmp,
        false,
        true,
    ),
    e(
        "Icmp6OutParmProblems",
        "parameter problem: %llu",
        OutIcmp,
        false,
        true,
    ),
    e(
        "Icmp6OutPktTooBigs",
        "packets too big: %llu",
        OutIcmp,
        false,
        true,
    ),
    e("Icmp6OutRedirects", "redirects: %llu", OutIcmp, false, true),
    e(
        "Icmp6OutRouterAdvertisements ",
        "router advertisement: %llu",
        OutIcmp,
        false,
        true,
    ),
    e(
        "Icmp6OutRouterSolicits",
        "router solicits: %llu",
        OutIcmp,
        false,
        true,
    ),
    e(
        "Icmp6OutTimeExcds",
        "sent ICMPv6 time exceeded: %llu",
        OutIcmp,
        false,
        true,
    ),
];

const TCP: &[Entry] = &[
    e(
        "ActiveOpens",
        "%llu active connection openings",
        Num,
        false,
        false,
    ),
    e(
        "AttemptFails",
        "%llu failed connection attempts",
        Num,
        false,
        false,
    ),
    e(
        "CurrEstab",
        "%llu connections established",
        Num,
        false,
        false,
    ),
    e(
        "EstabResets",
        "%llu connection resets received",
        Num,
        false,
        false,
    ),
    e("InErrs", "%llu bad segments received", Num, false, false),
    e("InSegs", "%llu segments received", Num, false, false),
    e("MaxConn", "", Num, false, false),
    e("OutRsts", "%llu resets sent", Num, false, false),
    e("OutSegs", "%llu segments sent out", Num, false, false),
    e(
        "PassiveOpens",
        "%llu passive connection openings",
        Num,
        false,
        false,
    ),
    e(
        "RetransSegs",
        "%llu segments retransmitted",
        Num,
        false,
        false,
    ),
    e("RtoAlgorithm", "RTO algorithm is %s", RtoAlg, true, false),
    e("RtoMax", "", Num, false, false),
    e("RtoMin", "", Num, false, false),
];

const UDP: &[Entry] = &[
    e("InDatagrams", "%llu packets received", Num, false, false),
    e("InErrors", "%llu packet receive errors", Num, false, false),
    e(
        "NoPorts",
        "%llu packets to unknown port received",
        Num,
        false,
        false,
    ),
    e("OutDatagrams", "%llu packets sent", Num, false, false),
    e(
        "RcvbufErrors",
        "%llu receive buffer errors",
        Num,
        false,
        false,
    ),
    e("SndbufErrors", "%llu send buffer errors", Num, false, false),
];

const UDP6: &[Entry] = &[
    e(
        "Udp6InDatagrams",
        "%llu packets received",
        Num,
        false,
        false,
    ),
    e(
        "Udp6InErrors",
        "%llu packet receive errors",
        Num,
        false,
        false,
    ),
    e(
        "Udp6NoPorts",
        "%llu packets to unknown port received",
        Num,
        false,
        false,
    ),
    e("Udp6OutDatagrams", "%llu packets sent", Num, false, false),
];

const TCPEXT: &[Entry] = &[
    e(
        "DelayedACKLocked",
        "%llu delayed acks further delayed because of locked socket",
        OptNum,
        false,
        false,
    ),
    e(
        "DelayedACKLost",
        "Quick ack mode was activated %llu times",
        OptNum,
        false,
        false,
    ),
    e(
        "DelayedACKs",
        "%llu delayed acks sent",
        OptNum,
        false,
        false,
    ),
    e(
        "EmbryonicRsts",
        "%llu resets received for embryonic SYN_RECV sockets",
        OptNum,
        false,
        false,
    ),
    e(
        "ListenDrops",
        "%llu SYNs to LISTEN sockets dropped",
        OptNum,
        false,
        false,
    ),
    e(
        "ListenOverflows",
        "%llu times the listen queue of a socket overflowed",
        OptNum,
        false,
        false,
    ),
    e(
        "LockDroppedIcmps",
        "%llu ICMP packets dropped because socket was locked",
        OptNum,
        false,
        false,
    ),
    e(
        "OfoPruned",
        "%llu packets dropped from out-of-order queue because of socket buffer overrun",
        OptNum,
        false,
        false,
    ),
    e(
        "OutOfWindowIcmps",
        "%llu ICMP packets dropped because they were out-of-window",
        OptNum,
        false,
        false,
    ),
    e(
        "PAWSActive",
        "%llu active connections rejected because of time stamp",
        OptNum,
        false,
        false,
    ),
    e(
        "PAWSEstab",
        "%llu packets rejected in established connections because of timestamp",
        OptNum,
        false,
        false,
    ),
    e(
        "PAWSPassive",
        "%llu passive connections rejected because of time stamp",
        OptNum,
        false,
        false,
    ),
    e(
        "PruneCalled",
        "%llu packets pruned from receive queue because of socket buffer overrun",
        OptNum,
        false,
        false,
    ),
    e(
        "RcvPruned",
        "%llu packets pruned from receive queue",
        OptNum,
        false,
        false,
    ),
    e(
        "SockMallocOOM",
        "Ran %llu times out of system memory during packet sending",
        OptNum,
        false,
        false,
    ),
    e(
        "SyncookiesFailed",
        "%llu invalid SYN cookies received",
        OptNum,
        false,
        false,
    ),
    e(
        "SyncookiesRecv",
        "%llu SYN cookies received",
        OptNum,
        false,
        false,
    ),
    e(
        "SyncookiesSent",
        "%llu SYN cookies sent",
        OptNum,
        false,
        false,
    ),
    e(
        "TCPAbortFailed",
        "%llu times unable to send RST due to no memory",
        OptNum,
        false,
        false,
    ),
    e(
        "TCPAbortOnClose",
        "%llu connections reset due to early user close",
        OptNum,
        false,
        false,
    ),
    e(
        "TCPAbortOnData",
        "%llu connections reset due to unexpected data",
        OptNum,
        false,
        false,
    ),
    e(
        "TCPAbortOnLinger",
        "%llu connections aborted after user close in linger timeout",
        OptNum,
        false,
        false,
    ),
    e(
        "TCPAbortOnMemory",
        "%llu connections aborted due to memory pressure",
        OptNum,
        false,
        false,
    ),
    e(
        "TCPAbortOnSyn",
        "%llu connections reset due to unexpected SYN",
        OptNum,
        false,
        false,
    ),
    e(
        "TCPAbortOnTimeout",
        "%llu connections aborted due to timeout",
        OptNum,
        false,
        false,
    ),
    e(
        "TCPDirectCopyFromBacklog",
        "%llu bytes directly in process context from backlog",
        OptNum,
        false,
        false,
    ),
    e(
        "TCPDirectCopyFromPrequeue",
        "%llu bytes directly received in process context from prequeue",
        OptNum,
        false,
        false,
    ),
    e(
        "TCPDSACKOfoRecv",
        "%llu DSACKs for out of order packets received",
        OptNum,
        false,
        false,
    ),
    e(
        "TCPDSACKOfoSent",
        "%llu DSACKs sent for out of order packets",
        OptNum,
        false,
        false,
    ),
    e(
        "TCPDSACKOldSent",
        "%llu DSACKs sent for old packets",
        OptNum,
        false,
        false,
    ),
    e("TCPDSACKRecv", "%llu DSACKs received", OptNum, false, false),
    e(
        "TCPDSackUndo",
        "%llu congestion window recovered without slow start using DSACK",
        OptNum,
        false,
        false,
    ),
    e(
        "TCPDSACKUndo",
        "%llu congestion windows recovered without slow start by DSACK",
        OptNum,
        false,
        false,
    ),
    e(
        "TCPFACKReorder",
        "Detected reordering %llu times using FACK",
        OptNum,
        false,
        false,
    ),
    e(
        "TCPFastRetrans",
        "%llu fast retransmits",
        OptNum,
        false,
        false,
    ),
    e(
        "TCPForwardRetrans",
        "%llu forward retransmits",
        OptNum,
        false,
        false,
    ),
    e(
        "TCPFullUndo",
        "%llu congestion windows fully recovered without slow start",
        OptNum,
        false,
        false,
    ),
    e(
        "TCPHPAcks",
        "%llu predicted acknowledgments",
        OptNum,
        false,
        false,
    ),
    e(
        "TCPHPHits",
        "%llu packet headers predicted",
        Num,
        false,
        false,
    ),
    e(
        "TCPHPHitsToUser",
        "%llu packet headers predicted and directly queued to user",
        OptNum,
        false,
        false,
    ),
    e(
        "TCPLossFailures",
        "%llu timeouts in loss state",
        OptNum,
        false,
        false,
    ),
    e("TCPLoss", "%llu TCP data loss events", OptNum, false, false),
    e(
        "TCPLossUndo",
        "%llu congestion windows recovered without slow start after partial ack",
        OptNum,
        false,
        false,
    ),
    e(
        "TCPLostRetransmits",
        "%llu retransmits lost",
        OptNum,
        false,
        false,
    ),
    e(
        "TCPMemoryPressures",
        "TCP ran low on memory %llu times",
        OptNum,
        false,
        false,
    ),
    e(
        "TCPPartialUndo",
        "%llu congestion windows partially recovered using Hoe heuristic",
        OptNum,
        false,
        false,
    ),
    e(
        "TCPPrequeued",
        "%llu packets directly queued to recvmsg prequeue",
        OptNum,
        false,
        false,
    ),
    e(
        "TCPPrequeueDropped",
        "%llu packets dropped from prequeue",
        OptNum,
        false,
        false,
    ),
    e(
        "TCPPureAcks",
        "%llu acknowledgments not containing data payload received",
        OptNum,
        false,
        false,
    ),
    e(
        "TCPRcvCollapsed",
        "%llu packets collapsed in receive queue due to low socket buffer",
        OptNum,
        false,
        false,
    ),
    e(
        "TCPRenoFailures",
        "%llu timeouts after reno fast retransmit",
        OptNum,
        false,
        false,
    ),
    e(
        "TCPRenoRecoveryFailed",
        "%llu reno fast retransmits failed",
        OptNum,
        false,
        false,
    ),
    e(
        "TCPRenoRecoveryFail",
        "%llu classic Reno fast retransmits failed",
        OptNum,
        false,
        false,
    ),
    e(
        "TCPRenoRecovery",
        "%llu times recovered from packet loss due to fast retransmit",
        OptNum,
        false,
        false,
    ),
    e(
        "TCPRenoReorder",
        "Detected reordering %llu times using reno fast retransmit",
        OptNum,
        false,
        false,
    ),
    e(
        "TCPSackFailures",
        "%llu timeouts after SACK recovery",
        OptNum,
        false,
        false,
    ),
    e(
        "TCPSackRecoveryFail",
        "%llu SACK retransmits failed",
        OptNum,
        false,
        false,
    ),
    e(
        "TCPSackRecovery",
        "%llu times recovered from packet loss by selective acknowledgements",
        OptNum,
        false,
        false,
    ),
    e(
        "TCPSACKReneging",
        "%llu bad SACK blocks received",
        OptNum,
        false,
        false,
    ),
    e(
        "TCPSACKReorder",
        "Detected reordering %llu times using SACK",
        OptNum,
        false,
        false,
    ),
    e(
        "TCPSchedulerFailed",
        "%llu times receiver scheduled too late for direct processing",
        OptNum,
        false,
        false,
    ),
    e(
        "TCPSlowStartRetrans",
        "%llu retransmits in slow start",
        OptNum,
        false,
        false,
    ),
    e(
        "TCPTimeouts",
        "%llu other TCP timeouts",
        OptNum,
        false,
        false,
    ),
    e(
        "TCPTSReorder",
        "Detected reordering %llu times using time stamp",
        OptNum,
        false,
        false,
    ),
    e(
        "TWKilled",
        "%llu TCP sockets finished time wait in slow timer",
        OptNum,
        false,
        false,
    ),
    e(
        "TW",
        "%llu TCP sockets finished time wait in fast timer",
        OptNum,
        false,
        false,
    ),
    e(
        "TWRecycled",
        "%llu time wait sockets recycled by time stamp",
        OptNum,
        false,
        false,
    ),
];

const SCTP: &[Entry] = &[
    e(
        "SctpAborteds",
        "%llu Number of Aborteds ",
        Num,
        false,
        false,
    ),
    e(
        "SctpActiveEstabs",
        "%llu Active Associations",
        Num,
        false,
        false,
    ),
    e(
        "SctpChecksumErrors",
        "%llu Number of Packets with invalid Checksum",
        Num,
        false,
        false,
    ),
    e(
        "SctpCurrEstab",
        "%llu Current Associations",
        Num,
        false,
        false,
    ),
    e(
        "SctpFragUsrMsgs",
        "%llu Number of messages fragmented",
        Num,
        false,
        false,
    ),
    e(
        "SctpInCtrlChunks",
        "%llu Number of control chunks received",
        Num,
        false,
        false,
    ),
    e(
        "SctpInOrderChunks",
        "%llu Number of ordered chunks received",
        Num,
        false,
        false,
    ),
    e(
        "SctpInSCTPPacks",
        "%llu Number of SCTP packets received",
        Num,
        false,
        false,
    ),
    e(
        "SctpInUnorderChunks",
        "%llu Number of Unordered chunks received",
        Num,
        false,
        false,
    ),
    e(
        "SctpOutCtrlChunks",
        "%llu Number of control chunks sent",
        Num,
        false,
        false,
    ),
    e(
        "SctpOutOfBlues",
        "%llu Number of Out of Blue packets",
        Num,
        false,
        false,
    ),
    e(
        "SctpOutOrderChunks",
        "%llu Number of ordered chunks sent",
        Num,
        false,
        false,
    ),
    e(
        "SctpOutSCTPPacks",
        "%llu Number of SCTP packets sent",
        Num,
        false,
        false,
    ),
    e(
        "SctpOutUnorderChunks",
        "%llu Number of Unordered chunks sent",
        Num,
        false,
        false,
    ),
    e(
        "SctpPassiveEstabs",
        "%llu Passive Associations",
        Num,
        false,
        false,
    ),
    e(
        "SctpReasmUsrMsgs",
        "%llu Number of messages reassembled ",
        Num,
        false,
        false,
    ),
    e(
        "SctpShutdowns",
        "%llu Number of Graceful Terminations",
        Num,
        false,
        false,
    ),
];

/// Which protocols were asked for (-w, -t, -u, -S; all when none).
#[derive(Clone, Copy, Debug)]
pub struct Protocols {
    /// -w: Ip, Icmp (Ip6, Icmp6).
    pub raw: bool,
    /// -t: Tcp, TcpExt (Tcp6).
    pub tcp: bool,
    /// -u: Udp (Udp6).
    pub udp: bool,
    /// -S: Sctp.
    pub sctp: bool,
}

/// The table for a group and whether it is shown.
fn table_for(title: &str, six: bool, p: Protocols) -> Option<(&'static [Entry], bool)> {
    let t: (&'static [Entry], bool) = match (six, title) {
        (false, "Ip") => (IP, p.raw),
        (false, "Icmp") => (ICMP, p.raw),
        (false, "Tcp") => (TCP, p.tcp),
        (false, "Udp") => (UDP, p.udp),
        (false, "Sctp") => (SCTP, p.sctp),
        (false, "TcpExt") => (TCPEXT, p.tcp),
        (true, "Ip6") => (IP6, p.raw),
        (true, "Icmp6") => (ICMP6, p.raw),
        (true, "Udp6") => (UDP6, p.udp),
        (true, "Tcp6") => (TCP, p.tcp),
        _ => return None,
    };
    Some(t)
}

/// glibc's `bsearch` with `strcmp` over a table in net-tools' order.
fn lookup<'a>(table: &'a [Entry], key: &str) -> Option<&'a Entry> {
    let (mut lo, mut hi) = (0usize, table.len());
    while lo < hi {
        let mid = (lo + hi) / 2;
        match key.as_bytes().cmp(table[mid].title.as_bytes()) {
            std::cmp::Ordering::Less => hi = mid,
            std::cmp::Ordering::Greater => lo = mid + 1,
            std::cmp::Ordering::Equal => return Some(&table[mid]),
        }
    }
    None
}

/// The printer's state across groups, as net-tools keeps it.
struct Printer {
    out: String,
    state: Kind,
    /// The current group's table (None for a group net-tools does not know)
    /// and whether its counters are shown.
    table: Option<&'static [Entry]>,
    shown: bool,
}

impl Printer {
    fn new() -> Printer {
        Printer {
            out: String::new(),
            state: Num,
            table: None,
            shown: true,
        }
    }

    /// A new group heading (`Tcp:`). A known group is titled only when its
    /// protocol was asked for and resets the state; an unknown one is always
    /// titled and keeps the state (so `IcmpMsg` lines take the histogram's
    /// indentation).
    fn group(&mut self, title: &str, six: bool, p: Protocols) {
        match table_for(title, six, p) {
            Some((t, shown)) => {
                if shown {
                    let _ = writeln!(self.out, "{title}:");
                }
                self.state = Num;
                self.table = Some(t);
                self.shown = shown;
            }
            None => {
                let _ = writeln!(self.out, "{title}:");
                self.table = None;
                self.shown = true;
            }
        }
    }

    fn value(&mut self, title: &str, val: u64) {
        if !self.shown {
            return;
        }
        let Some(ent) = self.table.and_then(|t| lookup(t, title)) else {
            if val != 0 {
                let _ = writeln!(self.out, "{:w$}{title}: {val}", "", w = self.state.indent());
            }
            return;
        };
        if ent.setting || ent.phrase.is_empty() {
            return;
        }
        let mut kind = ent.kind;
        if ent.titled && self.state != kind {
            let _ = writeln!(
                self.out,
                "{:w$}{}",
                "",
                kind.heading(),
                w = self.state.indent()
            );
        }
        let line = match kind {
            OptNum if val == 0 => String::new(),
            Num | OptNum => ent.phrase.replace("%llu", &val.to_string()),
            Forward => {
                kind = Num;
                ent.phrase
                    .replace("%s", if val == 2 { "enabled" } else { "disabled" })
            }
            InIcmp | OutIcmp if val > 0 => ent.phrase.replace("%llu", &val.to_string()),
            InIcmp | OutIcmp | RtoAlg => String::new(),
        };
        if !line.is_empty() {
            let _ = writeln!(self.out, "{:w$}{line}", "", w = kind.indent());
        }
        self.state = kind;
    }
}

/// C's `strtoull(s, &end, 10)`: leading blanks, a sign (a minus wraps, as in
/// C), digits saturating at u64::MAX; no digits gives 0 and consumes nothing.
fn strtoull(s: &str) -> (u64, &str) {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (neg, body) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let n = body.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 {
        return (0, s);
    }
    let v = body[..n].parse::<u64>().unwrap_or(u64::MAX);
    (if neg { v.wrapping_neg() } else { v }, &body[n..])
}

fn is_sep(c: char) -> bool {
    c == ' ' || c == '\t' || c == '\n'
}

/// /proc/net/snmp or /proc/net/netstat: pairs of lines, names then values.
/// With a filter, only groups whose title starts with it. Err on a pair
/// without colons (net-tools: "Problem while parsing").
fn name_value_pairs(
    pr: &mut Printer,
    text: &str,
    filter: Option<&str>,
    p: Protocols,
) -> Result<(), ()> {
    let mut lines = text.split_inclusive('\n');
    while let Some(names) = lines.next() {
        if names.starts_with('\n') {
            continue;
        }
        let Some(values) = lines.next() else { break };
        let (Some(nc), Some(vc)) = (names.find(':'), values.find(':')) else {
            return Err(());
        };
        let title = &names[..nc];
        if filter.is_some_and(|f| !title.starts_with(f)) {
            continue;
        }
        pr.group(title, false, p);
        let mut rest = &values[vc + 1..];
        for name in names[nc + 1..].split(is_sep).filter(|n| !n.is_empty()) {
            if pr.shown {
                let (v, r) = strtoull(rest);
                rest = r;
                pr.value(name, v);
            }
        }
    }
    Ok(())
}

/// /proc/net/sctp/snmp: "Name value" lines, all in the Sctp group.
fn sctp(pr: &mut Printer, text: &str, p: Protocols) {
    pr.group("Sctp", false, p);
    for line in text.lines() {
        let line = line.trim_end_matches('\n');
        let end = line.find(is_sep).unwrap_or(line.len());
        let (name, rest) = line.split_at(end);
        let rest = rest.trim_start_matches(is_sep);
        if !rest.is_empty() && pr.shown {
            pr.value(name, strtoull(rest).0);
        }
    }
}

/// /proc/net/snmp6: "Ip6InReceives 123" lines; a group starts where the
/// name's prefix up to its first '6' changes.
fn snmp6(pr: &mut Printer, text: &str, p: Protocols) {
    let prefix = |name: &str| -> String {
        match name.find('6') {
            Some(i) => name[..=i].to_string(),
            None => name.to_string(),
        }
    };
    let mut group: Option<String> = None;
    let mut val = 0u64;
    for line in text.lines() {
        let mut f = line.split_ascii_whitespace();
        let Some(name) = f.next() else { continue };
        // sscanf keeps the last value when this line has none.
        if let Some(v) = f.next() {
            let (n, rest) = strtoull(v);
            if rest.len() < v.len() {
                val = n;
            }
        }
        let changed = match &group {
            None => true,
            Some(g) => !name.contains(g.as_str()),
        };
        if changed {
            let g = prefix(name);
            pr.group(&g, true, p);
            group = Some(g);
        }
        if pr.shown {
            pr.value(name, val);
        }
    }
}

/// `netstat -s` for IPv4 (`six` false) or IPv6 (`-6`), as net-tools 2.10.
pub fn run(p: Protocols, six: bool) -> CmdResult {
    let proc = pskit::Root::current().proc().to_path_buf();
    let read = |rel: &str| crate::fmt::read_small(&proc.join(rel));
    let reason = |e: &std::io::Error| match e.raw_os_error() {
        Some(n) => crate::proc_common::strerror(n),
        None => e.to_string(),
    };
    let mut pr = Printer::new();
    if six {
        match read("net/snmp6") {
            Ok(t) => snmp6(&mut pr, &t, p),
            Err(e) => {
                eprintln!("cannot open /proc/net/snmp6: {}", reason(&e));
                print!("{}", pr.out);
                return Ok(ExitCode::SUCCESS);
            }
        }
        match read("net/snmp") {
            Ok(t) => {
                let _ = name_value_pairs(&mut pr, &t, Some("Tcp"), p);
            }
            Err(e) => eprintln!("cannot open /proc/net/snmp: {}", reason(&e)),
        }
    } else {
        match read("net/snmp") {
            Ok(t) => {
                if name_value_pairs(&mut pr, &t, None, p).is_err() {
                    eprintln!("Problem while parsing /proc/net/snmp");
                }
                if let Ok(t) = read("net/netstat") {
                    if name_value_pairs(&mut pr, &t, None, p).is_err() {
                        eprintln!("Problem while parsing /proc/net/netstat");
                    }
                }
                if let Ok(t) = read("net/sctp/snmp") {
                    sctp(&mut pr, &t, p);
                }
            }
            Err(e) => eprintln!("cannot open /proc/net/snmp: {}", reason(&e)),
        }
    }
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(pr.out.as_bytes())?;
    // net-tools exits 0 even when a file is missing or odd (it says so on
    // stderr, above); so does pskit, so scripts see the same status.
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: Protocols = Protocols {
        raw: true,
        tcp: true,
        udp: true,
        sctp: true,
    };

    #[test]
    fn lookup_misses_what_net_tools_misses() {
        // Forwarding sits before ForwDatagrams: the search never finds it.
        assert!(lookup(IP, "Forwarding").is_none());
        assert!(lookup(IP, "InReceives").is_some());
        assert!(lookup(IP, "DefaultTTL").is_some());
    }

    #[test]
    fn snmp_pairs() {
        let mut pr = Printer::new();
        let text = "Ip: Forwarding DefaultTTL InReceives InHdrErrors\n\
                    Ip: 2 64 12867 0\n\
                    Icmp: InMsgs InErrors InDestUnreachs OutMsgs\n\
                    Icmp: 3 0 3 0\n\
                    IcmpMsg: InType3\n\
                    IcmpMsg: 3\n";
        name_value_pairs(&mut pr, text, None, ALL).unwrap();
        assert_eq!(
            pr.out,
            "Ip:\n    Forwarding: 2\n    12867 total packets received\n\
             Icmp:\n    3 ICMP messages received\n    0 input ICMP message failed\n\
             \x20   ICMP input histogram:\n        destination unreachable: 3\n\
             \x20   0 ICMP messages sent\n\
             IcmpMsg:\n    InType3: 3\n"
        );
    }

    #[test]
    fn garbage_does_not_panic() {
        for text in [
            "",
            "\n",
            "Ip:\n",
            "Ip: a b\n",
            "Ip: a b\nIp: 1\n",
            "Ip a b\nIp 1 2\n",
            "Tcp: MaxConn\nTcp: -1\n",
            "Udp: InDatagrams\nUdp: 99999999999999999999999\n",
            "X: \u{1b}[31m\nX: 5\n",
        ] {
            let mut pr = Printer::new();
            let _ = name_value_pairs(&mut pr, text, None, ALL);
            snmp6(&mut pr, text, ALL);
            sctp(&mut pr, text, ALL);
        }
        assert_eq!(strtoull("-1").0, u64::MAX);
        assert_eq!(strtoull(" x").0, 0);
        assert_eq!(strtoull("99999999999999999999999").0, u64::MAX);
    }
}
