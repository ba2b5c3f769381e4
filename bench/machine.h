/*
** The machine a run measures on: its cores, its load, and the flush time
** of the disk the databases write to, which bounds every durable commit.
*/
#ifndef ATESQL_BENCH_MACHINE_H
#define ATESQL_BENCH_MACHINE_H

#include <stddef.h>

enum { FSYNC_PROBES = 200 }; /* fdatasync calls of a full disk probe */

/* The number of online CPUs. */
long machine_cores(void);

/*
** The 1-, 5- and 15-minute load averages into buf, as /proc/loadavg
** spells them ("?" when unknown). Returns the first (-1 when unknown).
*/
double load_average(char *buf, size_t bufsz);

/* The 1-minute load average, or -1 when unknown. */
double load_now(void);

/*
** The flush time of the disk under dir: `probes` times (at most
** FSYNC_PROBES), write 4 kB into a file in dir and fdatasync it, as a WAL
** commit does. *p50 and *p99 receive the percentiles in ms.
*/
void probe_fsync(const char *dir, int probes, double *p50, double *p99);

#endif
