#include "service/app.h"

int main(int argc, char** argv) { return eem::service::service_main(argc, argv); }
