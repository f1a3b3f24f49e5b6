// Moved to @stackci/exec, the one process wrapper the packages share; devstack code imports it from here.
export * from '@stackci/exec'
