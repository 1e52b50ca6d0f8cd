// libyaml's event parser, imported into Swift through this system-library module.
#include <yaml.h>
