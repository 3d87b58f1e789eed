// SPDX-License-Identifier: MIT
/*
 * fwd: receive frames, swap their source and destination MAC addresses and
 * send them back out (an L2 reflector), or out of another interface (--out).
 *
 *	fwd -i eth0                  reflect what arrives on queue 0
 *	fwd -i veth0 -o veth1 -q 0-1 receive on veth0, send on veth1
 *
 * The loop, per queue: frames are never copied. A received frame's
 * descriptor goes from the RX ring straight onto the TX ring, with the
 * same UMEM address; once the kernel has sent it, its address comes back
 * on the completion ring and goes to the fill ring, to receive into again.
 * With --out, the second socket shares the first one's UMEM, so the same
 * frames move between the two interfaces. A packet of several frames
 * (--multi-buffer) goes out as it came in. The loop is in reflect.c, which
 * pingpong --reflect runs too.
 */
#include "common.h"

int main(int argc, char **argv)
{
	struct app a;
	int rc = app_setup(&a, argc, argv, "fwd", APP_FWD);

	if (rc)
		return rc;
	return app_run(&a, reflect_loop);
}
