/*
** Freeing what the store returns: every record and page is the root of an
** arena (util/arena.h), so one call frees it whole.
*/
#include "atesql/actor.h"
#include "atesql/atespace.h"
#include "atesql/worker.h"
#include "util/arena.h"

void atesql_atespace_free(atesql_atespace *atespace) { arena_free(atespace); }
void atesql_actor_free(atesql_actor *actor) { arena_free(actor); }
void atesql_worker_free(atesql_worker *worker) { arena_free(worker); }

void atesql_atespace_page_free(atesql_atespace_page *page) { arena_free(page); }
void atesql_actor_page_free(atesql_actor_page *page) { arena_free(page); }
void atesql_worker_page_free(atesql_worker_page *page) { arena_free(page); }
