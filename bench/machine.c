/*
** The machine: cores, load average, and the disk's flush time.
** machine.h says what each function does.
*/
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "machine.h"
#include "samples.h"

long machine_cores(void) { return sysconf(_SC_NPROCESSORS_ONLN); }

double load_average(char *buf, size_t bufsz) {
  snprintf(buf, bufsz, "?");
  FILE *f = fopen("/proc/loadavg", "r");
  if (f == NULL) return -1;
  double a, b, c, one = -1;
  if (fscanf(f, "%lf %lf %lf", &a, &b, &c) == 3) {
    snprintf(buf, bufsz, "%.2f %.2f %.2f", a, b, c);
    one = a;
  }
  fclose(f);
  return one;
}

double load_now(void) {
  char buf[64];
  return load_average(buf, sizeof buf);
}

void probe_fsync(const char *dir, int probes, double *p50, double *p99) {
  char path[4096];
  snprintf(path, sizeof path, "%s/fsync-probe", dir);
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) die("open %s: %s", path, strerror(errno));
  static double ms[FSYNC_PROBES];
  if (probes > FSYNC_PROBES) probes = FSYNC_PROBES;
  char block[4096];
  memset(block, 'x', sizeof block);
  for (int i = 0; i < probes; i++) {
    double t0 = now_s();
    if (pwrite(fd, block, sizeof block, (off_t)(i % 64) * 4096) < 0 ||
        fdatasync(fd) != 0)
      die("write %s: %s", path, strerror(errno));
    ms[i] = (now_s() - t0) * 1e3;
  }
  close(fd);
  unlink(path);
  qsort(ms, (size_t)probes, sizeof ms[0], compare_doubles);
  *p50 = percentile(ms, (size_t)probes, 0.50);
  *p99 = percentile(ms, (size_t)probes, 0.99);
}
