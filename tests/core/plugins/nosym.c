/* A perfectly good shared object that is not an otto plugin. */
int otto_test_not_a_plugin(void);
__attribute__((visibility("default"))) int otto_test_not_a_plugin(void)
{
	return 42;
}
