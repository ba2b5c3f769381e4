/*
** `atesql locks list|acquire|renew|release`: acquire printing the fencing
** token and exit code 6 while the lock is held, renew by the holder only,
** tokens growing across release, release answering for a non-holder, the
** table list prints, and usage errors. Each test has a fresh database
** (backend.h).
*/
#include "suite.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/run.h"

#define RUN(...) cli_run((const char *const[]){__VA_ARGS__, NULL}, NULL)

static const char *locks_db(const char *name) {
  return cli_workers_db("cli_locks", name, "");
}

/* Run `locks VERB KEY VALUE --ttl TTL`; must exit 0 and print a token,
** which it returns. */
static long token_of(const char *url, const char *verb, const char *key,
                     const char *value, const char *ttl) {
  cli_result r = RUN("--db", url, "locks", verb, key, value, "--ttl", ttl);
  if (r.exit_code != 0)
    fail_msg("locks %s %s %s exited %d: %s", verb, key, value, r.exit_code,
             r.err);
  char *end = NULL;
  long token = strtol(r.out, &end, 10);
  assert_string_equal(end, "\n");
  assert_string_equal(r.err, "");
  cli_result_free(&r);
  return token;
}

static void test_acquire_prints_a_token_that_grows_per_key(void **state) {
  (void)state;
  const char *url = locks_db("acquire");
  assert_int_equal(token_of(url, "acquire", "lock:actor:1", "me", "30s"), 1);
  cli_result r = RUN("--db", url, "locks", "acquire", "lock:actor:1", "you",
                     "--ttl", "30s");
  cli_assert_error(&r, 6, "held by another owner");
  assert_string_equal(r.out, "");
  cli_result_free(&r);
  r = RUN("--db", url, "locks", "release", "lock:actor:1", "me");
  assert_int_equal(r.exit_code, 0);
  assert_string_equal(r.out, "released lock:actor:1\n");
  cli_result_free(&r);
  assert_int_equal(token_of(url, "acquire", "lock:actor:1", "you", "30s"), 2);
  assert_int_equal(token_of(url, "acquire", "lock:actor:2", "you", "500ms"), 1);
}

static void test_renew_extends_only_the_holders_lock(void **state) {
  (void)state;
  const char *url = locks_db("renew");
  assert_int_equal(token_of(url, "acquire", "k", "me", "3s"), 1);
  assert_int_equal(token_of(url, "renew", "k", "me", "1h"), 1);
  cli_result r = RUN("--db", url, "locks", "renew", "k", "you", "--ttl", "1h");
  cli_assert_error(&r, 6, "not held by 'you'");
  cli_result_free(&r);
  r = RUN("--db", url, "locks", "renew", "free", "me", "--ttl", "1h");
  cli_assert_error(&r, 6, "acquire it again");
  cli_result_free(&r);
  /* Renewed for an hour: still held after the first TTL (3 s: long
  ** enough for the renewal to start under a sanitizer on a loaded machine). */
  struct timespec pause = {3, 300 * 1000 * 1000};
  nanosleep(&pause, NULL);
  r = RUN("--db", url, "locks", "acquire", "k", "you", "--ttl", "1s");
  cli_assert_error(&r, 6, "held by another owner");
  cli_result_free(&r);
}

static void test_release_of_a_lock_not_held_is_no_error(void **state) {
  (void)state;
  const char *url = locks_db("release");
  token_of(url, "acquire", "k", "me", "1m");
  cli_result r = RUN("--db", url, "locks", "release", "k", "you");
  assert_int_equal(r.exit_code, 0);
  assert_string_equal(r.out, "k is not held by you; nothing to release\n");
  cli_result_free(&r);
  r = RUN("--db", url, "locks", "release", "k", "me");
  assert_int_equal(r.exit_code, 0);
  cli_result_free(&r);
  r = RUN("--db", url, "locks", "release", "k", "me");
  assert_int_equal(r.exit_code, 0);
  assert_string_equal(r.out, "k is not held by me; nothing to release\n");
  cli_result_free(&r);
}

static void test_list_shows_key_holder_token_and_expiry(void **state) {
  (void)state;
  const char *url = locks_db("list");
  cli_result r = RUN("--db", url, "locks", "list");
  assert_int_equal(r.exit_code, 0);
  assert_string_equal(r.out, "no locks held\n");
  cli_result_free(&r);
  token_of(url, "acquire", "lock-b", "owner-b", "1h");
  token_of(url, "acquire", "lock-a", "owner-a", "1h");
  r = RUN("--db", url, "locks", "release", "lock-a", "owner-a");
  cli_result_free(&r);
  token_of(url, "acquire", "lock-a", "owner-c", "1h");
  r = RUN("--db", url, "locks", "list");
  assert_int_equal(r.exit_code, 0);
  char *lines[3] = {r.out, NULL, NULL};
  lines[1] = strchr(lines[0], '\n') + 1;
  lines[2] = strchr(lines[1], '\n') + 1;
  assert_int_equal(strncmp(lines[0], "KEY     VALUE    TOKEN  EXPIRES", 31), 0);
  assert_int_equal(strncmp(lines[1], "lock-a  owner-c  2      20", 26), 0);
  assert_int_equal(strncmp(lines[2], "lock-b  owner-b  1      20", 26), 0);
  /* The expiry is UTC with milliseconds; an hour left, give or take. */
  if (!strstr(lines[1], "Z  3599.") && !strstr(lines[1], "Z  3600."))
    fail_msg("no expiry an hour away in '%s'", lines[1]);
  cli_result_free(&r);
}

static void test_bad_usage_exits_2(void **state) {
  (void)state;
  const char *url = locks_db("usage");
  cli_result r = RUN("--db", url, "locks", "acquire", "k", "me");
  cli_assert_error(&r, 2, "usage: atesql locks acquire KEY VALUE --ttl");
  cli_result_free(&r);
  r = RUN("--db", url, "locks", "acquire", "k", "me", "--ttl", "soon");
  cli_assert_error(&r, 2, "--ttl takes a duration");
  cli_result_free(&r);
  r = RUN("--db", url, "locks", "acquire", "k", "me", "--ttl", "1000h");
  cli_assert_error(&r, 2, "ttl_ms must be");
  cli_result_free(&r);
  r = RUN("--db", url, "locks", "renew", "k", "--ttl", "1s");
  cli_assert_error(&r, 2, "usage: atesql locks renew");
  cli_result_free(&r);
  r = RUN("--db", url, "locks", "release", "k");
  cli_assert_error(&r, 2, "usage: atesql locks release");
  cli_result_free(&r);
  r = RUN("--db", url, "locks", "list", "extra");
  cli_assert_error(&r, 2, "unexpected argument 'extra'");
  cli_result_free(&r);
  r = RUN("--db", url, "locks", "steal");
  cli_assert_error(&r, 2, "expected list, acquire, renew or release");
  cli_result_free(&r);
  r = RUN("--db", url, "locks");
  cli_assert_error(&r, 2, "usage: atesql locks");
  cli_result_free(&r);
  r = RUN("--db", url, "locks", "acquire", "", "me", "--ttl", "1s");
  cli_assert_error(&r, 2, "key");
  cli_result_free(&r);
  r = RUN("locks", "renew", "--help");
  assert_int_equal(r.exit_code, 0);
  assert_string_equal(r.out,
                      "usage: atesql locks renew KEY VALUE --ttl DURATION\n");
  cli_result_free(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_acquire_prints_a_token_that_grows_per_key),
      cmocka_unit_test(test_renew_extends_only_the_holders_lock),
      cmocka_unit_test(test_release_of_a_lock_not_held_is_no_error),
      cmocka_unit_test(test_list_shows_key_holder_token_and_expiry),
      cmocka_unit_test(test_bad_usage_exits_2),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
