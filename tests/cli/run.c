/*
** cli_run: fork/exec the atesql program with pipes on all three standard
** streams, feed stdin, and collect stdout and stderr with poll() so that
** neither pipe can fill up and deadlock the child.
*/
#include "cli/run.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct growbuf {
  char *data;
  size_t len;
} growbuf;

static void grow_append(growbuf *b, const char *bytes, size_t n) {
  b->data = realloc(b->data, b->len + n + 1);
  if (b->data == NULL) abort();
  memcpy(b->data + b->len, bytes, n);
  b->len += n;
  b->data[b->len] = '\0';
}

cli_result cli_run(const char *const *args, const char *input) {
  int in[2], out[2], err[2];
  if (pipe(in) || pipe(out) || pipe(err)) abort();
  pid_t pid = fork();
  if (pid < 0) abort();
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    close(in[1]);
    close(out[0]);
    close(err[0]);
    size_t n = 0;
    while (args[n])
      n++;
    char **argv = calloc(n + 2, sizeof *argv);
    argv[0] = (char *)ATESQL_CLI_PATH;
    for (size_t i = 0; i < n; i++)
      argv[i + 1] = (char *)args[i];
    execv(ATESQL_CLI_PATH, argv);
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  if (input) {
    size_t len = strlen(input), off = 0;
    while (off < len) {
      ssize_t w = write(in[1], input + off, len - off);
      if (w <= 0) break;
      off += (size_t)w;
    }
  }
  close(in[1]);

  growbuf bufs[2] = {{NULL, 0}, {NULL, 0}};
  grow_append(&bufs[0], "", 0);
  grow_append(&bufs[1], "", 0);
  struct pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open_fds = 2;
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) abort();
    for (int i = 0; i < 2; i++) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      char chunk[4096];
      ssize_t n = read(fds[i].fd, chunk, sizeof chunk);
      if (n > 0) {
        grow_append(&bufs[i], chunk, (size_t)n);
      } else {
        close(fds[i].fd);
        fds[i].fd = -1;
        open_fds--;
      }
    }
  }
  int status;
  waitpid(pid, &status, 0);
  cli_result r = {WIFEXITED(status) ? WEXITSTATUS(status) : -1, bufs[0].data,
                  bufs[1].data};
  return r;
}

void cli_result_free(cli_result *r) {
  free(r->out);
  free(r->err);
}
