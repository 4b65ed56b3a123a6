// The ceph.conf of a throwaway single-node cluster (one monitor, one in-RAM OSD, one gateway), all
// on 127.0.0.1 with all state under one directory. Each value's reason is beside it; the settings
// that matter are summed up in docs/s3-compatibility.md#the-radosgw-the-tests-start.

export interface CephLayout {
  fsid: string;
  dir: string;
  monV2Port: number;
  monV1Port: number;
  rgwPort: number;
}

export const RGW_NAME = 'client.rgw.a';

export function monAddress(layout: CephLayout): string {
  return `[v2:127.0.0.1:${layout.monV2Port},v1:127.0.0.1:${layout.monV1Port}]`;
}

export function renderCephConf(layout: CephLayout): string {
  const { dir } = layout;
  return `[global]
fsid = ${layout.fsid}
mon_host = ${monAddress(layout)}
public_addr = 127.0.0.1
cluster_addr = 127.0.0.1
# No cephx: nothing to provision, and nothing here is reachable from outside the loopback.
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
run_dir = ${dir}/run
admin_socket = ${dir}/run/$name.asok
log_file = ${dir}/log/$name.log
pid_file = ${dir}/run/$name.pid
mon_data = ${dir}/mon/$cluster-$id
osd_data = ${dir}/osd/$cluster-$id
# One OSD: pools must accept a single replica.
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_num = 8
osd_pool_default_pg_autoscale_mode = off
mon_allow_pool_size_one = true
osd_crush_chooseleaf_type = 0
# Fast start: ~2.5 s instead of ~13 s.
paxos_propose_interval = 0.05
paxos_min_wait = 0.01
mon_tick_interval = 1

[osd]
# Objects live in RAM; the cluster is thrown away after the run.
osd_objectstore = memstore
memstore_device_bytes = 4294967296

[${RGW_NAME}]
# Without it the gateway loops on an auth error when cephx is off.
ms_mon_client_mode = crc
# Without tcp_nodelay every GET takes ~45 ms.
rgw_frontends = beast endpoint=127.0.0.1:${layout.rgwPort} tcp_nodelay=1
rgw_data = ${dir}/rgw
rgw_dns_name = localhost
`;
}
