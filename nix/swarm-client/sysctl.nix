# Kernel network tuning for an hls-swarm client host (SPEC §7; same settings as
# deploy/sysctl/99-hls-swarm.conf and deploy/limits/99-hls-swarm.conf).
# net.ipv6.tcp_rmem/wmem of the design document do not exist on Linux (IPv6 TCP uses the
# ipv4 keys), so they are left out. cake needs the sch_cake module; kernels without it keep
# their default qdisc.
{ config, pkgs, lib, ... }:

{
  boot.kernel.sysctl = {
    "fs.file-max" = 2097152;
    "net.core.netdev_max_backlog" = 65535;
    "net.ipv4.ip_local_port_range" = "1026 65535";
    "net.ipv4.tcp_tw_reuse" = 1;
    "net.ipv4.tcp_fin_timeout" = 15;
    "net.ipv4.tcp_keepalive_time" = 120;
    "net.ipv4.tcp_keepalive_intvl" = 30;
    "net.ipv4.tcp_keepalive_probes" = 4;
    "net.ipv4.tcp_rmem" = "4096 1000000 16000000";
    "net.ipv4.tcp_wmem" = "4096 1000000 16000000";
    "net.core.rmem_default" = 26214400;
    "net.core.rmem_max" = 26214400;
    "net.core.wmem_default" = 26214400;
    "net.core.wmem_max" = 26214400;
    "net.ipv4.tcp_slow_start_after_idle" = 0;
    "net.ipv4.tcp_fastopen" = 1;
    "net.ipv4.tcp_timestamps" = 1;
    "net.ipv4.tcp_sack" = 1;
    "net.ipv4.tcp_fack" = 1;
    "net.ipv4.tcp_window_scaling" = 1;
    "net.ipv4.tcp_ecn" = 1;
    "net.ipv4.tcp_notsent_lowat" = 131072;
    "net.ipv4.tcp_rto_min_us" = 50000;
    "net.ipv4.tcp_no_ssthresh_metrics_save" = 0;
    "net.ipv4.tcp_reflect_tos" = 1;
    "net.core.default_qdisc" = "cake";
    "net.ipv4.tcp_congestion_control" = "cubic";
  };

  # Process and file limits for the many FFmpeg children.
  security.pam.loginLimits = [
    { domain = "*"; type = "soft"; item = "nofile"; value = "1048576"; }
    { domain = "*"; type = "hard"; item = "nofile"; value = "1048576"; }
    { domain = "*"; type = "soft"; item = "nproc"; value = "unlimited"; }
    { domain = "*"; type = "hard"; item = "nproc"; value = "unlimited"; }
  ];
}
