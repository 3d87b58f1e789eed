// SPDX-License-Identifier: MIT
/*
 * Sized options structs: the caller's struct may come from an older libxsk
 * (shorter: the missing fields read as zero, the default) or a newer one
 * (longer: accepted only while the fields this library doesn't know are
 * zero, so nothing the caller asked for is silently ignored).
 */
#include "gnu.h"

#include <errno.h>
#include <string.h>

#include "internal.h"

int xsk__opts_load(void *dst, size_t dst_sz, const void *src, const char *type)
{
	const unsigned char *p = (const unsigned char *)src;
	size_t sz, i;

	memset(dst, 0, dst_sz);
	if (!src)
		return 0;
	memcpy(&sz, src, sizeof(sz));
	if (sz < sizeof(size_t))
		return xsk__err(
			-EINVAL,
			"struct %s: .sz is %zu; set it to sizeof(struct %s), or declare the struct with XSK_OPTS()",
			type, sz, type);
	for (i = dst_sz; i < sz; i++)
		if (p[i])
			return xsk__err(
				-EOPNOTSUPP,
				"struct %s sets a field this libxsk (%d.%d) does not know, at byte %zu: the program was built against a newer libxsk",
				type, LIBXSK_VERSION_MAJOR,
				LIBXSK_VERSION_MINOR, i);
	memcpy(dst, src, sz < dst_sz ? sz : dst_sz);
	return 0;
}
