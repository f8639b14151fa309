/*
 * cli_signal.c: SIGINT and SIGTERM stop the running command safely: the
 * runner between migrations, a wait for a lock at once.
 */
#include <signal.h>
#include <string.h>

#include "cli_int.h"
#include "store.h"
#include "banned.h"

/* The runner a SIGINT or SIGTERM stops. */
static struct runner *volatile active;
static struct store *volatile active_store;
volatile sig_atomic_t cli_stopped;

static void
on_signal(int sig)
{
	(void)sig;
	cli_stopped = 1;
	if (active)
		runner_stop(active);
	if (active_store)
		store_interrupt(active_store);
}

void
cli_watch_runner(struct runner *r)
{
	active = r;
	if (r)
		catch_signals();
}

void
cli_watch(struct store *s)
{
	active_store = s;
	catch_signals();
	/* A signal that came before: as if it came now. */
	if (s && cli_stopped)
		store_interrupt(s);
}

/* A second signal kills at once: the database's journal keeps it safe. */
void
catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}
