// harc: keeps HA clusters at the state declared in a fleet repository.
// Everything happens in RunCli; main only binds it to the process.
#include <iostream>

#include "reconciler/cli.h"

int main(int argc, char** argv) { return harc::RunCli(argc, argv, std::cout, std::cerr); }
