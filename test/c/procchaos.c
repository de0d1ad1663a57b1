/*
 * procchaos SEED COUNT: random process and thread life, run only under
 * tsvisor. Every process and thread takes random steps: fork, make a
 * thread, exec itself, signal a random pid (stop, continue, kill...),
 * reap without waiting, exit, clone with random flags, pipes. The first
 * process never exits early or blocks, so it reports and ends the
 * sandbox (killing what is left); the Sentry must serve it all and stay up.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static const char *self;
static int is_init;

struct budget {
	uint64_t state;
	long count;
};

static uint64_t rnd(struct budget *b)
{
	b->state ^= b->state << 13;
	b->state ^= b->state >> 7;
	b->state ^= b->state << 17;
	return b->state;
}

static void on_usr1(int s) { (void)s; }

static void *walk(void *arg);

static void steps(struct budget *b, int in_thread)
{
	static const int sigs[] = {0, SIGTERM, SIGKILL, SIGUSR1, SIGSTOP, SIGCONT, SIGCHLD};
	while (b->count-- > 0) {
		switch (rnd(b) % 12) {
		case 0: {
			pid_t p = fork();
			if (p == 0) {
				is_init = 0;
				b->count /= 2;
				b->state ^= 0x9e3779b97f4a7c15ull;
			}
			break;
		}
		case 1: {
			struct budget *nb = malloc(sizeof *nb);
			if (nb == NULL)
				break;
			nb->state = rnd(b) | 1;
			nb->count = b->count / 4;
			pthread_t t;
			if (pthread_create(&t, NULL, walk, nb) == 0)
				pthread_detach(t);
			else
				free(nb);
			break;
		}
		case 2: {
			pid_t target = 2 + (pid_t)(rnd(b) % 80);
			kill(target, sigs[rnd(b) % (sizeof sigs / sizeof sigs[0])]);
			break;
		}
		case 3:
			waitpid(-1, NULL, WNOHANG | WUNTRACED | WCONTINUED);
			break;
		case 4:
			if (!is_init && b->count > 8) {
				char seed[32], count[32];
				snprintf(seed, sizeof seed, "%llu", (unsigned long long)rnd(b));
				snprintf(count, sizeof count, "%ld", b->count / 2);
				execl(self, self, seed, count, "child", (char *)NULL);
			}
			break;
		case 5:
			if (!is_init)
				_exit((int)(rnd(b) % 256));
			break;
		case 6:
			if (in_thread)
				syscall(SYS_exit, 0);
			break;
		case 7:
			sched_yield();
			break;
		case 8: {
			int p[2];
			if (pipe(p) == 0) {
				write(p[1], "x", 1);
				close(p[0]);
				close(p[1]);
			}
			break;
		}
		case 9:
			if (!is_init && rnd(b) % 4 == 0) {
				long r = syscall(SYS_clone, (unsigned long)(rnd(b) & 0xffffffff) & ~0x10000UL, 0, NULL, NULL, 0);
				if (r == 0)
					syscall(SYS_exit_group, 0);
			}
			break;
		case 10:
			signal(SIGUSR1, on_usr1);
			break;
		default:
			getppid();
		}
	}
}

static void *walk(void *arg)
{
	struct budget *b = arg;
	steps(b, 1);
	free(b);
	return NULL;
}

int main(int argc, char **argv)
{
	self = argv[0];
	struct budget b;
	b.state = argc > 1 ? strtoull(argv[1], 0, 0) * 0x9e3779b97f4a7c15ull + 1 : 1;
	b.count = argc > 2 ? atol(argv[2]) : 200;
	is_init = argc <= 3;
	signal(SIGPIPE, SIG_IGN);
	steps(&b, 0);
	if (is_init) {
		printf("procchaos done\n");
		fflush(stdout);
		syscall(SYS_exit_group, 0);
	}
	return 0;
}
