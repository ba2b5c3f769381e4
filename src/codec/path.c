/*
** The dotted path of the field the encoder or the decoder is at, for the
** error that names it ("latestSnapshotInfo.local.snapshotPrefix",
** "labels.zone", "nodeVmsWithLocalSnapshots[2]").
*/
#include <stdio.h>
#include <string.h>

#include "codec/json_internal.h"
#include "util/error.h"

/* Write the segments from the outermost down, ".name" or "[i]", names
** quoted safely; returns the length written. */
static size_t format_path(const path_seg *seg, char *out, size_t outsz) {
  if (seg == NULL) return 0;
  size_t n = format_path(seg->up, out, outsz);
  if (n >= outsz) return n;
  if (seg->name) {
    char shown[80];
    error_excerpt(shown, sizeof shown, seg->name, strlen(seg->name), 64);
    n += (size_t)snprintf(out + n, outsz - n, "%s%s", n ? "." : "", shown);
  } else {
    n += (size_t)snprintf(out + n, outsz - n, "[%zu]", seg->index);
  }
  return n < outsz ? n : outsz - 1;
}

const char *path_text(field_path *p) {
  p->text[0] = '\0';
  format_path(p->top, p->text, sizeof p->text);
  return p->text;
}
