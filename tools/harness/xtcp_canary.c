// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp_canary: a throwaway module that makes the test harness fail on
 * purpose.  tools/harness/selftest loads it with fault=WHAT and checks
 * that the harness stage it runs in fails, for the right reason, and that
 * fault=none passes.  It is not part of XTCP and is never installed.
 *
 * fault=none       both suites pass, nothing is left behind
 * fault=leak       192 bytes are allocated at load and never freed
 * fault=warn       a WARN() at load
 * fault=case_fail  one KUnit case fails
 * fault=init_fail  the second suite's suite_init fails (-ENOMEM)
 * fault=drop_suite the second suite is never run
 *
 * The suites are run from module_init (not kunit_test_suites(), whose
 * suites run before the module's parameters are parsed).
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <kunit/test.h>

static char *fault = "none";
module_param(fault, charp, 0444);
MODULE_PARM_DESC(fault, "none, leak, warn, case_fail, init_fail or drop_suite");

static bool canary_fault(const char *what)
{
	return !strcmp(fault, what);
}

static void canary__passes(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, 2 + 2, 4);
}

static void canary__fails_when_asked(struct kunit *test)
{
	KUNIT_EXPECT_FALSE_MSG(test, canary_fault("case_fail"),
			       "fault=case_fail: failing on purpose");
}

static const int canary_params[] = { 1, 2, 3 };

static void canary_param_desc(const int *p, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "value_%d", *p);
}

KUNIT_ARRAY_PARAM(canary, canary_params, canary_param_desc);

static void canary__param(struct kunit *test)
{
	const int *p = test->param_value;

	KUNIT_EXPECT_GT(test, *p, 0);
}

static struct kunit_case canary_a_cases[] = {
	KUNIT_CASE(canary__passes),
	KUNIT_CASE(canary__fails_when_asked),
	KUNIT_CASE_PARAM(canary__param, canary_gen_params),
	{}
};

static struct kunit_suite canary_a_suite = {
	.name = "xtcp_canary_a",
	.test_cases = canary_a_cases,
};

static int canary_b_init(struct kunit_suite *suite)
{
	return canary_fault("init_fail") ? -ENOMEM : 0;
}

static void canary__after_init(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, true);
}

static struct kunit_case canary_b_cases[] = {
	KUNIT_CASE(canary__after_init),
	{}
};

static struct kunit_suite canary_b_suite = {
	.name = "xtcp_canary_b",
	.suite_init = canary_b_init,
	.test_cases = canary_b_cases,
};

static struct kunit_suite *canary_suites[] = {
	&canary_a_suite, &canary_b_suite,
};

static int canary_nsuites;

static int __init canary_init(void)
{
	if (canary_fault("leak")) {
		char *p = kmalloc(192, GFP_KERNEL);

		if (p)
			memset(p, 0x5a, 192);
		pr_info("xtcp_canary: fault=leak: %zu bytes never freed\n",
			p ? ksize(p) : 0);
	}
	WARN(canary_fault("warn"), "xtcp_canary: fault=warn: warning on purpose\n");
	canary_nsuites = canary_fault("drop_suite") ? 1 : 2;
	return __kunit_test_suites_init(canary_suites, canary_nsuites);
}

static void __exit canary_exit(void)
{
	__kunit_test_suites_exit(canary_suites, canary_nsuites);
}

module_init(canary_init);
module_exit(canary_exit);
MODULE_DESCRIPTION("XTCP harness self-test: faults on demand");
MODULE_LICENSE("GPL");
