/*
** cli_run and cli_spawn: fork/exec the atesql program (or, with
** cli_run_program, another) with pipes on all three standard streams, and
** collect stdout and stderr with poll() so that neither pipe can fill up
** and deadlock the child. Then the helpers the CLI suites share, which run
** the program and assert with cmocka.
*/
#include "cli/run.h"

#include "suite.h"
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"

/* How long cli_child_finish waits for a signalled child to exit. */
enum { STOP_WAIT_MS = 10000 };

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

struct cli_child {
  pid_t pid;
  int in;               /* the write end of its stdin; -1 once closed */
  struct pollfd fds[2]; /* stdout, stderr; fd -1 once closed */
  growbuf bufs[2];
  size_t taken; /* bytes of stdout returned by cli_child_line */
};

/* Start program with argv (as cli_spawn) and return at once. */
static cli_child *spawn(const char *program, const char *const *args) {
  int in[2], out[2], err[2];
  if (pipe(in) || pipe(out) || pipe(err)) abort();
  pid_t pid = fork();
  if (pid < 0) abort();
  if (pid == 0) {
    /* A test that fails while its child runs leaves no watch behind. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
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
    argv[0] = (char *)program;
    for (size_t i = 0; i < n; i++)
      argv[i + 1] = (char *)args[i];
    execv(program, argv);
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  cli_child *c = calloc(1, sizeof *c);
  if (c == NULL) abort();
  c->pid = pid;
  c->in = in[1];
  c->fds[0] = (struct pollfd){out[0], POLLIN, 0};
  c->fds[1] = (struct pollfd){err[0], POLLIN, 0};
  grow_append(&c->bufs[0], "", 0);
  grow_append(&c->bufs[1], "", 0);
  return c;
}

cli_child *cli_spawn(const char *const *args) {
  return spawn(ATESQL_CLI_PATH, args);
}

static void close_stdin(cli_child *c) {
  if (c->in >= 0) close(c->in);
  c->in = -1;
}

static bool output_open(const cli_child *c) {
  return c->fds[0].fd >= 0 || c->fds[1].fd >= 0;
}

/* Read what the child writes within wait_ms (-1: no bound), at most one
** chunk per pipe; a pipe that reaches its end is closed. */
static void pump(cli_child *c, int wait_ms) {
  if (poll(c->fds, 2, wait_ms) < 0) abort();
  for (int i = 0; i < 2; i++) {
    if (c->fds[i].fd < 0 || !(c->fds[i].revents & (POLLIN | POLLHUP))) continue;
    char chunk[4096];
    ssize_t n = read(c->fds[i].fd, chunk, sizeof chunk);
    if (n > 0) {
      grow_append(&c->bufs[i], chunk, (size_t)n);
    } else {
      close(c->fds[i].fd);
      c->fds[i].fd = -1;
    }
  }
}

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *cli_child_line(cli_child *c, int timeout_ms) {
  close_stdin(c);
  long long deadline = now_ms() + timeout_ms;
  for (;;) {
    const char *start = c->bufs[0].data + c->taken;
    const char *nl = strchr(start, '\n');
    if (nl) {
      c->taken += (size_t)(nl - start) + 1;
      return strndup(start, (size_t)(nl - start));
    }
    long long left = deadline - now_ms();
    if (left <= 0 || c->fds[0].fd < 0) return NULL;
    pump(c, (int)left);
  }
}

void cli_child_signal(cli_child *c, int sig) { kill(c->pid, sig); }

cli_result cli_child_finish(cli_child *c, int sig) {
  close_stdin(c);
  if (sig) kill(c->pid, sig);
  /* A child the signal does not end is killed after STOP_WAIT_MS, and
  ** reported as not having exited normally (exit_code -1). */
  long long deadline = now_ms() + STOP_WAIT_MS;
  while (output_open(c)) {
    long long left = deadline - now_ms();
    if (sig && left <= 0) {
      kill(c->pid, SIGKILL);
      sig = 0;
    }
    pump(c, sig ? (int)(left > 0 ? left : 0) : -1);
  }
  int status;
  waitpid(c->pid, &status, 0);
  cli_result r = {WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                  strdup(c->bufs[0].data + c->taken), c->bufs[1].data};
  free(c->bufs[0].data);
  free(c);
  return r;
}

cli_result cli_run(const char *const *args, const char *input) {
  return cli_run_program(ATESQL_CLI_PATH, args, input);
}

cli_result cli_run_program(const char *program, const char *const *args,
                           const char *input) {
  cli_child *c = spawn(program, args);
  if (input) {
    size_t len = strlen(input), off = 0;
    while (off < len) {
      ssize_t w = write(c->in, input + off, len - off);
      if (w <= 0) break;
      off += (size_t)w;
    }
  }
  return cli_child_finish(c, 0);
}

void cli_result_free(cli_result *r) {
  free(r->out);
  free(r->err);
}

const char *cli_workers_db(const char *suite, const char *name,
                           const char *workers_jsonl) {
  char full[64];
  snprintf(full, sizeof full, "%s_%s", suite, name);
  const char *url = test_backend_fresh_url(full);
  cli_result r =
      cli_run((const char *const[]){"--db", url, "migrate", "up", NULL}, NULL);
  assert_int_equal(r.exit_code, 0);
  cli_result_free(&r);
  r = cli_run(
      (const char *const[]){"--db", url, "workers", "import", "-", NULL},
      workers_jsonl);
  assert_int_equal(r.exit_code, 0);
  cli_result_free(&r);
  return url;
}

void cli_assert_error(const cli_result *r, int code, const char *needle) {
  assert_int_equal(r->exit_code, code);
  if (strncmp(r->err, "atesql: ", 8) != 0 || strstr(r->err, needle) == NULL)
    fail_msg("stderr '%s' lacks 'atesql: ... %s'", r->err, needle);
  assert_ptr_equal(strchr(r->err, '\n'), r->err + strlen(r->err) - 1);
}
