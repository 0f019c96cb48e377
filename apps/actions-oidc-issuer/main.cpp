#include "issuer/app.h"

int main(int argc, char** argv) { return eem::issuer::issuer_main(argc, argv); }
